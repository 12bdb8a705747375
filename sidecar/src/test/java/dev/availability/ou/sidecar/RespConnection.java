package dev.availability.ou.sidecar;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal Redis client (RESP2) for the benchmark's Redis peer. Written here rather than taken from a
 * library: the benchmark sends three commands (SET, WAIT, INFO) and reads simple strings, integers and
 * bulk strings; a client library would add a dependency, its pools and threads, and its own overhead to
 * the figures of the peer it is there to measure.
 */
final class RespConnection implements AutoCloseable {
  private static final byte[] CRLF = {'\r', '\n'};
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RespConnection(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 2000);
    socket.setTcpNoDelay(true);
    out = new BufferedOutputStream(socket.getOutputStream(), 8192);
    in = new BufferedInputStream(socket.getInputStream(), 8192);
  }

  /** Queues a command (an array of bulk strings); {@link #flush} sends what is queued. */
  RespConnection send(byte[]... args) throws IOException {
    out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(a);
      out.write(CRLF);
    }
    return this;
  }

  RespConnection send(String... args) throws IOException {
    byte[][] b = new byte[args.length][];
    for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
    return send(b);
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Reads one reply: a String (simple or bulk string, null for a nil bulk) or a Long (integer); an error reply throws. */
  Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+':
        return line;
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) return null;
        byte[] b = in.readNBytes(n + 2);
        if (b.length < n + 2) throw new IOException("Redis closed the connection in a reply");
        return new String(b, 0, n, StandardCharsets.UTF_8);
      }
      case '-':
        throw new IOException("Redis: " + line);
      case -1:
        throw new IOException("Redis closed the connection");
      default:
        throw new IOException("unexpected Redis reply type '" + (char) type + "': " + line);
    }
  }

  Object call(String... args) throws IOException {
    send(args).flush();
    return read();
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) throw new IOException("Redis closed the connection in a reply");
      b.append((char) c);
    }
    in.read(); // '\n'
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
