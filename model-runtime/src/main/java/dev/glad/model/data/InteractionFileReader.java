package dev.glad.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads interaction files into {@link UserSequences}. Every malformed line is reported with its
 * line number; nothing is silently skipped.
 */
public final class InteractionFileReader {
  private static final String RECBOLE_USER = "user_id:token";
  private static final String RECBOLE_ITEM = "item_id:token";
  private static final String RECBOLE_TIME = "timestamp:float";

  private InteractionFileReader() {}

  /** Reads {@code file} in the given format. */
  public static UserSequences read(Path file, InteractionFormat format) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return format == InteractionFormat.PAIRS
          ? readPairs(reader, file.toString())
          : readRecBole(reader, file.toString());
    } catch (NoSuchFileException e) {
      throw new DataFormatException("data file not found: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Reads {@code user item} lines (whitespace separated). A user's lines must be in time order;
   * they need not be contiguous.
   */
  static UserSequences readPairs(BufferedReader reader, String source) throws IOException {
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    String line;
    long lineNumber = 0;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      if (fields.length != 2) {
        throw new DataFormatException(
            source,
            lineNumber,
            "expected 2 fields 'user item' but found " + fields.length + ": '" + trimmed + "'");
      }
      byUser.computeIfAbsent(fields[0], u -> new ArrayList<>()).add(fields[1]);
    }
    return toSequences(byUser, source);
  }

  /**
   * Reads a RecBole {@code .inter} file; the header must name {@code user_id:token}, {@code
   * item_id:token} and {@code timestamp:float}. Rows are ordered by timestamp per user; equal
   * timestamps keep file order (a stable sort).
   */
  static UserSequences readRecBole(BufferedReader reader, String source) throws IOException {
    String header = reader.readLine();
    if (header == null) {
      throw new DataFormatException(source, 1, "empty file, expected a RecBole header line");
    }
    List<String> columns = Arrays.asList(header.strip().split("\t"));
    int userColumn = columns.indexOf(RECBOLE_USER);
    int itemColumn = columns.indexOf(RECBOLE_ITEM);
    int timeColumn = columns.indexOf(RECBOLE_TIME);
    if (userColumn < 0 || itemColumn < 0 || timeColumn < 0) {
      throw new DataFormatException(
          source,
          1,
          "header must contain "
              + RECBOLE_USER
              + ", "
              + RECBOLE_ITEM
              + " and "
              + RECBOLE_TIME
              + " (tab separated) but was '"
              + header.strip()
              + "'");
    }
    record Row(String item, double time) {}
    Map<String, List<Row>> byUser = new LinkedHashMap<>();
    String line;
    long lineNumber = 1;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      if (fields.length != columns.size()) {
        throw new DataFormatException(
            source,
            lineNumber,
            "expected " + columns.size() + " tab-separated fields but found " + fields.length);
      }
      double time;
      try {
        time = Double.parseDouble(fields[timeColumn].strip());
      } catch (NumberFormatException e) {
        throw new DataFormatException(
            source, lineNumber, "timestamp '" + fields[timeColumn] + "' is not a number");
      }
      String user = fields[userColumn].strip();
      String item = fields[itemColumn].strip();
      if (user.isEmpty() || item.isEmpty()) {
        throw new DataFormatException(source, lineNumber, "empty user or item id");
      }
      byUser.computeIfAbsent(user, u -> new ArrayList<>()).add(new Row(item, time));
    }
    Map<String, List<String>> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, List<Row>> entry : byUser.entrySet()) {
      List<Row> rows = entry.getValue();
      rows.sort(Comparator.comparingDouble(Row::time));
      List<String> items = new ArrayList<>(rows.size());
      rows.forEach(r -> items.add(r.item()));
      ordered.put(entry.getKey(), items);
    }
    return toSequences(ordered, source);
  }

  private static UserSequences toSequences(Map<String, List<String>> byUser, String source) {
    if (byUser.isEmpty()) {
      throw new DataFormatException(source + ": no interactions found");
    }
    return new UserSequences(new ArrayList<>(byUser.keySet()), new ArrayList<>(byUser.values()));
  }
}
