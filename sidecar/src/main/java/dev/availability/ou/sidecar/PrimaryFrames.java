package dev.availability.ou.sidecar;

import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.Refusal;
import dev.availability.ou.replication.SessionAction;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reading a standby's frames into the primary's session, and the actions both phases of a session handle alike. */
final class PrimaryFrames {
  private final Replica replica;
  private final FrameCodec codec;
  private final Counters counters;

  PrimaryFrames(Replica replica, FrameCodec codec, Counters counters) {
    this.replica = replica;
    this.codec = codec;
    this.counters = counters;
  }

  /** The actions of the standby's next frame; a refused frame's are the refusal. */
  List<SessionAction> read(InputStream in, PrimarySession ps) throws IOException {
    try {
      Frame f = codec.read(in, ps.seal()); // sealed once the standby proved the key
      if (f == null) throw new IOException("standby closed the connection");
      return ps.onFrame(f);
    } catch (ProtocolException e) {
      counters.inc("framesRefused." + e.reason());
      return ps.refuse(e.reason(), e.getMessage());
    }
  }

  /**
   * Tells a standby this primary no longer acknowledges through it (another is its peer now): it stops calling itself
   * in sync (a standby whose stream just ends stays in sync, as when its primary dies). The standby echoes it
   * ({@link SessionAction.Close} with {@link Refusal#DROPPED} read back): until then the caller may not count it told.
   * False when it could not be written.
   */
  boolean dropped(java.io.OutputStream out, PrimarySession ps) {
    try {
      for (SessionAction a :
          ps.refuse(Refusal.DROPPED, "this primary streams to another standby now"))
        if (a instanceof SessionAction.Send s) codec.write(out, ps.seal(), s.frame());
      out.flush();
      return true;
    } catch (IOException e) {
      return false; // the retiring link dials again to tell it
    }
  }

  /** Whether {@code a} is a dropped standby's echo: it heard it was dropped. */
  static boolean droppedEcho(SessionAction a) {
    return a instanceof SessionAction.Close c && c.reason() == Refusal.DROPPED;
  }

  static void closeQuietly(java.net.Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Actions both phases handle; false when the session ends. */
  boolean common(SessionAction a) {
    switch (a) {
      case SessionAction.Close c -> {
        counters.inc("sessionsClosed." + c.reason());
        Logs.warn("replication session ended (" + c.reason() + "): " + c.message());
        return false;
      }
      case SessionAction.Deposed d -> {
        replica.deposed(d.newerEpoch());
        return false;
      }
      case SessionAction.PeerPosition p -> {
        return true;
      }
      default -> throw new IllegalStateException("unexpected " + a);
    }
  }
}
