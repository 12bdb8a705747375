package dev.availability.ou.sidecar;

import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.SessionAction;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * A primary link's sessions up to the catch-up plan: dialling the standby, HELLO and the authentication; and the
 * session a retired link opens only to tell its standby it was dropped.
 */
final class PrimaryHandshake {
  /** A dialled session: its socket, buffered streams and state machine. */
  record Dialled(Socket socket, InputStream in, OutputStream out, PrimarySession session) {}

  private final Replica replica;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final Config cfg;
  private final PrimaryFrames frames;
  private final long epoch;

  PrimaryHandshake(
      Replica replica,
      PeerAuth auth,
      FrameCodec codec,
      Config cfg,
      PrimaryFrames frames,
      long epoch) {
    this.replica = replica;
    this.auth = auth;
    this.codec = codec;
    this.cfg = cfg;
    this.frames = frames;
    this.epoch = epoch;
  }

  /** A standby silent this long is lost: the session's reads time out. */
  int readTimeoutMillis() {
    return (int) Math.max(1000, cfg.peerLostAfterMillis() * 2);
  }

  /** Connects ({@code opened} gets the socket first, so that the link can close it) and sends HELLO. */
  Dialled dial(InetSocketAddress address, Consumer<Socket> opened) throws IOException {
    Socket s = new Socket();
    opened.accept(s);
    s.setTcpNoDelay(true);
    s.setSendBufferSize(UnackedBytes.SEND_BUFFER_BYTES);
    s.connect(address, 1000);
    s.setSoTimeout(readTimeoutMillis());
    Dialled d = new Dialled(
        s,
        new BufferedInputStream(s.getInputStream(), 1 << 16),
        new BufferedOutputStream(s.getOutputStream(), 1 << 16),
        new PrimarySession(
            auth, epoch, cfg.memberName(), new PrimaryLogView(replica), PeerAuth.nonce()));
    codec.write(d.out(), d.session().hello());
    d.out().flush();
    return d;
  }

  /** Runs the handshake until the plan; null when the session ended first. */
  SessionAction.PlanReady plan(Dialled d) throws IOException {
    PrimarySession ps = d.session();
    while (true) {
      for (SessionAction a : frames.read(d.in(), ps)) {
        switch (a) {
          case SessionAction.Send send -> {
            // AUTH in plaintext; anything after it sealed
            codec.write(d.out(), ps.seal(), send.frame());
            d.out().flush();
          }
          case SessionAction.PlanReady p -> {
            return p;
          }
          default -> {
            if (!frames.common(a)) return null;
          }
        }
      }
    }
  }

  /**
   * A session only to tell a dropped standby so, once it answered the handshake (it took this session over): true once
   * it echoed it; false, or an exception, when the session ended first (the read timeout bounds the wait).
   */
  boolean tellDropped(Dialled d) throws IOException {
    if (plan(d) == null || !frames.dropped(d.out(), d.session())) return false;
    while (true)
      for (SessionAction a : frames.read(d.in(), d.session()))
        if (PrimaryFrames.droppedEcho(a)) return true;
  }
}
