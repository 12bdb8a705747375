package dev.availability.ou.sidecar;

import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.ProtocolException;
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
