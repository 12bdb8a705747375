package dev.availability.ou.sidecar;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The requests of one local API connection as they arrive, in bursts: a client that pipelines (many threads
 * sharing one {@code OuClient}) sends requests back to back, and those already in the buffers when the reader
 * gets to them form one burst. The reader queues a burst's writes and commits them together (one log append
 * and flush for the burst, not one per request) before it would block waiting for the next request.
 */
final class RequestStream {
  /**
   * Requests read before a burst is cut even though more are waiting: bounds how long the first of a
   * client that never pauses waits for its commit (the log writer's and the outbox's bounds apply too).
   */
  static final int MAX_BURST = 256;

  /** A request's frame header: the frame's length (after the length field), its id and its op. */
  record Header(int length, int id, int op) {}

  private final Buffered buffered;
  private final DataInputStream in;
  private int inBurst;

  RequestStream(InputStream raw) {
    this.buffered = new Buffered(raw);
    this.in = new DataInputStream(buffered);
  }

  /** Tells what it holds already without asking the socket (a system call) when that is enough. */
  private static final class Buffered extends BufferedInputStream {
    Buffered(InputStream in) {
      super(in, 1 << 16);
    }

    int held() {
      return count - pos; // read by the connection's reader only, the thread that fills them
    }
  }

  /** The request bodies are read from here. */
  DataInputStream in() {
    return in;
  }

  /** The client's preface; empty when it connected and closed without a word. */
  byte[] preface() throws IOException {
    return in.readNBytes(4);
  }

  /**
   * Whether {@code bytes} more can be read without waiting for the client, within the burst's bound: when
   * false, the reader commits what it queued before it reads on (it may wait there).
   */
  boolean burstHas(int bytes) throws IOException {
    return inBurst < MAX_BURST && (buffered.held() >= bytes || in.available() >= bytes);
  }

  /** The reader committed what it queued: the next request starts a new burst. */
  void burstCommitted() {
    inBurst = 0;
  }

  /**
   * The next request's header; null at the end of the stream (the client closed between requests). A length
   * outside 5..{@code maxFrame} comes back alone (id 0, op -1): the connection is closed on it.
   */
  Header next(int maxFrame) throws IOException {
    int len;
    try {
      len = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    inBurst++;
    if (len < 5 || len > maxFrame) return new Header(len, 0, -1);
    return new Header(len, in.readInt(), in.readUnsignedByte());
  }
}
