package dev.glad.tools.servebench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 keep-alive client for the load test: one connection, one request at a time,
 * pre-built request bytes. It costs the shared two cores far less than a general client, so the
 * numbers measure the server. Reads {@code Content-Length} bodies (what the service sends).
 */
final class LoopbackClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] line = new byte[8192];

  LoopbackClient(String host, int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(30_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 65_536);
  }

  /** The bytes of {@code POST path} with a JSON body. */
  static byte[] post(String host, String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: "
                + host
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /** Sends a request and reads the whole answer; returns the status code. */
  int exchange(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    String status = readLine();
    if (status == null || !status.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP answer: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    String header;
    while ((header = readLine()) != null && !header.isEmpty()) {
      if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Long.parseLong(header.substring(15).strip());
      }
    }
    if (length < 0) {
      throw new IOException("an answer without Content-Length");
    }
    long left = length;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed inside a body");
        }
        skipped = 1;
      }
      left -= skipped;
    }
    return code;
  }

  private String readLine() throws IOException {
    int n = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        return new String(line, 0, end, StandardCharsets.US_ASCII);
      }
      if (n < line.length) {
        line[n++] = (byte) b;
      }
    }
    return n == 0 ? null : new String(line, 0, n, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
