package dev.glad.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InteractionFileReaderTest {

  private static BufferedReader text(String s) {
    return new BufferedReader(new StringReader(s));
  }

  @Test
  void readsPairsInFileOrderPerUser() throws Exception {
    UserSequences data =
        InteractionFileReader.readPairs(text("1 10\n2 20\n1 11\n\n2 21\n1 12\n"), "f");
    assertEquals(2, data.userCount());
    assertEquals(List.of("10", "11", "12"), data.items(0));
    assertEquals(List.of("20", "21"), data.items(1));
    assertEquals(5, data.interactionCount());
  }

  @Test
  void badPairsLineNamesTheLine() {
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> InteractionFileReader.readPairs(text("1 10\n1 11\n1 12 13\n"), "beauty.txt"));
    assertEquals(
        "beauty.txt, line 3: expected 2 fields 'user item' but found 3: '1 12 13'", e.getMessage());
  }

  @Test
  void readsRecBoleOrderedByTimestamp() throws Exception {
    String file =
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
            + "7\ta\t3\t300\n"
            + "7\tb\t4\t100\n"
            + "8\tc\t5\t50\n"
            + "7\tc\t1\t200\n";
    UserSequences data = InteractionFileReader.readRecBole(text(file), "x.inter");
    assertEquals("7", data.userId(0));
    assertEquals(List.of("b", "c", "a"), data.items(0));
    assertEquals(List.of("c"), data.items(1));
  }

  @Test
  void recBoleBadTimestampNamesTheLine() {
    String file = "user_id:token\titem_id:token\ttimestamp:float\n1\t2\t10\n1\t3\tsoon\n";
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> InteractionFileReader.readRecBole(text(file), "x.inter"));
    assertEquals("x.inter, line 3: timestamp 'soon' is not a number", e.getMessage());
  }

  @Test
  void recBoleWrongFieldCountNamesTheLine() {
    String file = "user_id:token\titem_id:token\ttimestamp:float\n1\t2\n";
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> InteractionFileReader.readRecBole(text(file), "x.inter"));
    assertEquals("x.inter, line 2: expected 3 tab-separated fields but found 2", e.getMessage());
  }

  @Test
  void recBoleHeaderMustNameColumns() {
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> InteractionFileReader.readRecBole(text("user\titem\n1\t2\n"), "x.inter"));
    assertEquals(
        "x.inter, line 1: header must contain user_id:token, item_id:token and timestamp:float"
            + " (tab separated) but was 'user\titem'",
        e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () ->
                InteractionFileReader.read(Path.of("/nonexistent/x.txt"), InteractionFormat.PAIRS));
    assertEquals("data file not found: /nonexistent/x.txt", e.getMessage());
  }

  @Test
  void formatFromNameAndFlag() {
    assertEquals(InteractionFormat.RECBOLE, InteractionFormat.fromFileName("ml-100k.inter"));
    assertEquals(InteractionFormat.PAIRS, InteractionFormat.fromFileName("amazon-beauty.txt"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InteractionFormat.parse("csv"));
    assertEquals("unknown data format 'csv', expected pairs or recbole", e.getMessage());
  }
}
