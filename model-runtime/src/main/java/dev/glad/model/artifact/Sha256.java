package dev.glad.model.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files, as lowercase hex. */
final class Sha256 {
  private Sha256() {}

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  static String ofFile(Path file) throws IOException {
    MessageDigest digest = newDigest();
    update(digest, file);
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Adds the content of named arrays (name, data type, shape, bytes), not the bytes of a file they
   * were written to: an .npz is a zip whose entries carry their write time, so the same arrays
   * written twice give different files.
   */
  static void update(MessageDigest digest, String group, ai.djl.ndarray.NDList arrays) {
    digest.update(group.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (ai.djl.ndarray.NDArray array : arrays) {
      String header = array.getName() + "|" + array.getDataType() + "|" + array.getShape();
      digest.update(header.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      digest.update(array.toByteBuffer());
    }
  }

  static void update(MessageDigest digest, Path file) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
  }
}
