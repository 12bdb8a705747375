package dev.availability.ou.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One local API connection's socket in non-blocking mode, so that a thread that must never wait for this client
 * (the standby's ACK receiver, which serves every connection) can write a response only if the socket takes it
 * at once ({@link #writeNow}), while the connection's own threads read and write as if it blocked ({@link
 * #in}, {@link #writeAll}: they wait on a selector of their own). A blocking socket cannot tell beforehand
 * whether a write would block.
 */
final class LocalChannel implements AutoCloseable, ResponseOutbox.Sink {
  private final SocketChannel channel;
  private final Selector readable;
  private Selector writable; // made on the first write that finds the socket full; guarded by this
  private boolean closed; // guarded by this
  private final Input in = new Input();

  LocalChannel(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    readable = Selector.open();
    try {
      channel.register(readable, SelectionKey.OP_READ);
    } catch (IOException | RuntimeException e) {
      readable.close();
      throw e;
    }
  }

  /** The client's bytes; reading waits for them, {@code available()} asks the socket without waiting. */
  InputStream in() {
    return in;
  }

  @Override
  public void writeNow(ByteBuffer b) throws IOException {
    channel.write(b);
  }

  @Override
  public void writeAll(ByteBuffer b) throws IOException {
    while (true) {
      channel.write(b);
      if (!b.hasRemaining()) return;
      Selector s = writable();
      try {
        s.select(1000);
        s.selectedKeys().clear();
      } catch (ClosedSelectorException e) {
        throw new IOException("local API connection closed");
      }
    }
  }

  private synchronized Selector writable() throws IOException {
    if (closed) throw new IOException("local API connection closed");
    if (writable == null) {
      Selector s = Selector.open();
      try {
        channel.register(s, SelectionKey.OP_WRITE);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      writable = s;
    }
    return writable;
  }

  /** Closes the socket; a thread waiting to read or write it returns with an exception. */
  @Override
  public void close() {
    Selector w;
    synchronized (this) {
      closed = true;
      w = writable;
    }
    quietly(channel);
    quietly(readable);
    if (w != null) quietly(w);
  }

  private static void quietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing
    }
  }

  /** Reads that wait on the connection's read selector; bytes read ahead by {@code available()} come first. */
  private final class Input extends InputStream {
    private final ByteBuffer ahead = ByteBuffer.allocate(1 << 14).flip();

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      if (ahead.hasRemaining()) {
        int n = Math.min(len, ahead.remaining());
        ahead.get(b, off, n);
        return n;
      }
      ByteBuffer into = ByteBuffer.wrap(b, off, len);
      while (true) {
        int n = channel.read(into);
        if (n != 0) return n;
        try {
          readable.select();
          readable.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
          throw new IOException("local API connection closed");
        }
      }
    }

    @Override
    public int available() throws IOException {
      if (!ahead.hasRemaining()) {
        ahead.clear();
        int n = channel.read(ahead);
        ahead.flip();
        if (n < 0) return 0; // the end of the stream: the next read says so
      }
      return ahead.remaining();
    }
  }
}
