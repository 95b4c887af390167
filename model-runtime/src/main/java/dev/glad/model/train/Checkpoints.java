package dev.glad.model.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.glad.model.artifact.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Checkpoint directory I/O: {@code latest/} holds {@code state.json}, {@code parameters.npz},
 * {@code optimizer.npz} and optionally {@code best.npz}. A new checkpoint is written to a temporary
 * directory and then moved into place, so an interruption never leaves a half-written {@code
 * latest/}.
 */
final class Checkpoints {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
  static final String LATEST = "latest";

  private Checkpoints() {}

  static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(LATEST).resolve("state.json"));
  }

  static void write(
      Path dir, TrainingState state, NDList parameters, NDList optimizer, NDList best) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("writing");
      Directories.deleteRecursively(tmp);
      Files.createDirectories(tmp);
      Files.writeString(tmp.resolve("state.json"), GSON.toJson(state), StandardCharsets.UTF_8);
      writeNpz(tmp.resolve("parameters.npz"), parameters);
      writeNpz(tmp.resolve("optimizer.npz"), optimizer);
      if (best != null) {
        writeNpz(tmp.resolve("best.npz"), best);
      }
      Path latest = dir.resolve(LATEST);
      Path old = dir.resolve("previous");
      Directories.deleteRecursively(old);
      if (Files.exists(latest)) {
        Files.move(latest, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE);
      Directories.deleteRecursively(old);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint to " + dir, e);
    }
  }

  static TrainingState readState(Path dir) {
    try {
      return GSON.fromJson(
          Files.readString(dir.resolve(LATEST).resolve("state.json")), TrainingState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint state in " + dir, e);
    }
  }

  static NDList readArrays(Path dir, String file, NDManager manager) {
    Path path = dir.resolve(LATEST).resolve(file);
    if (!Files.exists(path)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(path)) {
      return NDList.decode(manager, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  static void writeNpz(Path file, NDList arrays) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      arrays.encode(out, NDList.Encoding.NPZ);
    }
  }
}
