package dev.availability.ou.replication;

import java.util.List;

/** What a session state machine asks its transport to do. The machines never touch sockets or files. */
public sealed interface SessionAction {
  /** Send this frame to the peer. */
  record Send(Frame frame) implements SessionAction {}

  /** End the session (after any Send before it), for this reason; nothing more from the peer is applied. */
  record Close(Refusal reason, String message) implements SessionAction {}

  /** Primary: the standby's position is known; decide and call {@link PrimarySession#start}. */
  record PlanReady(CatchUpPlan plan, Messages.Position standby) implements SessionAction {}

  /** Primary: every record up to {@code seq} is durable on the standby. */
  record Acked(long seq) implements SessionAction {}

  /** Either side: the peer's positions (from a heartbeat). */
  record PeerPosition(long lastSeq, long durableSeq, long sentAtMillis) implements SessionAction {}

  /** Primary: the peer knows a newer epoch than ours; we have been deposed and must stop acknowledging. */
  record Deposed(long newerEpoch) implements SessionAction {}

  /** Standby: cut every record after {@code seq} before applying anything else. */
  record Truncate(long seq) implements SessionAction {}

  /** Standby: a snapshot at {@code seq} of {@code size} bytes follows. */
  record SnapshotBegin(long seq, long size) implements SessionAction {}

  /** Standby: bytes of the snapshot at {@code offset}. */
  record SnapshotChunk(long offset, byte[] bytes) implements SessionAction {}

  /** Standby: the snapshot is complete; verify it against {@code crc}, install it, then call snapshotInstalled. */
  record SnapshotEnd(long seq, int crc) implements SessionAction {}

  /** Standby: append these verified records (raw bytes as received) and apply them. */
  record Append(byte[] bytes, List<LogRecord> records) implements SessionAction {}

  /** Standby: the session is authenticated and the primary's plan received. */
  record Started(CatchUpPlan.Kind kind, long commonPrefix, long fromSeq) implements SessionAction {}
}
