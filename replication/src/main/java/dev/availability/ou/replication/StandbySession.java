package dev.availability.ou.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The standby's side of one replication session (the side that accepts the connection):
 * HELLO → CHALLENGE, AUTH → POSITION, START → (snapshot) → BATCH/HEARTBEAT, answering with ACKs.
 * Refuses anything from an epoch other than the one it serves at, anything before authentication,
 * out-of-order frames and records that break the sequence; a refusal closes the session and nothing
 * of the offending frame is applied.
 */
public final class StandbySession {
  public enum State {
    AWAIT_HELLO,
    AWAIT_AUTH,
    AWAIT_START,
    SNAPSHOT,
    STREAMING,
    CLOSED
  }

  /** What the standby holds; asked after authentication. Throws when this member is no longer the standby at the session's epoch. */
  public interface Holdings {
    Messages.Position position() throws ProtocolException;
  }

  private final PeerAuth auth;
  private final long epoch;
  private final boolean actingStandby;
  private final Holdings holdings;
  private final Limits limits;
  private final Supplier<byte[]> nonces;
  private State state = State.AWAIT_HELLO;
  private FrameSeal seal;
  private boolean primaryWantsSeal;
  private byte[] primaryNonce;
  private byte[] standbyNonce;
  private String primaryName;
  private long nextSeq;
  private long snapshotSeq;
  private long snapshotSize;
  private long snapshotReceived;

  /**
   * @param auth the unit key
   * @param epoch the epoch this member serves at now
   * @param actingStandby whether this member is a standby now (a primary or fenced member refuses)
   */
  public StandbySession(
      PeerAuth auth,
      long epoch,
      boolean actingStandby,
      Holdings holdings,
      Limits limits,
      Supplier<byte[]> nonces) {
    this.auth = auth;
    this.epoch = epoch;
    this.actingStandby = actingStandby;
    this.holdings = holdings;
    this.limits = limits;
    this.nonces = nonces;
  }

  public State state() {
    return state;
  }

  public long epoch() {
    return epoch;
  }

  /**
   * This connection's sealing state, set once the primary proved the key (null before): every frame
   * from POSITION on is written and read with it.
   */
  public FrameSeal seal() {
    return seal;
  }

  public String primaryName() {
    return primaryName;
  }

  /** The next sequence expected from the stream. */
  public long nextSeq() {
    return nextSeq;
  }

  /** An ACK frame for what is durable here. */
  public Frame ack(long durableSeq) {
    return Frame.of(FrameType.ACK, epoch, durableSeq);
  }

  public Frame heartbeat(long lastSeq, long durableSeq, long nowMillis) {
    return new Frame(
        FrameType.HEARTBEAT,
        epoch,
        lastSeq,
        new Messages.Heartbeat(lastSeq, durableSeq, nowMillis).encode());
  }

  /** A snapshot was installed: the stream continues after it. */
  public void snapshotInstalled(long seq) {
    if (state != State.SNAPSHOT) throw new IllegalStateException("no snapshot in progress");
    nextSeq = seq + 1;
    state = State.STREAMING;
  }

  /** Handles a frame that decoded cleanly; a frame that failed to decode goes to {@link #refuse}. */
  public List<SessionAction> onFrame(Frame f) {
    List<SessionAction> out = new ArrayList<>(2);
    try {
      handle(f, out);
    } catch (ProtocolException e) {
      out.clear();
      return refuse(e.reason(), e.getMessage());
    }
    return out;
  }

  /** Ends the session for a reason found outside the machine (a decoding failure, an epoch change). */
  public List<SessionAction> refuse(Refusal reason, String message) {
    state = State.CLOSED;
    // A stale primary learns it was deposed from this refusal: prove the newer epoch, bound to its
    // nonce.
    byte[] proof = reason == Refusal.STALE_EPOCH && primaryNonce != null
        ? auth.newerEpochProof(epoch, primaryNonce)
        : new byte[0];
    return List.of(
        new SessionAction.Send(new Frame(
            FrameType.REFUSE, epoch, 0, new Messages.Refuse(reason, message, proof).encode())),
        new SessionAction.Close(reason, message));
  }

  private void handle(Frame f, List<SessionAction> out) throws ProtocolException {
    if (state == State.CLOSED)
      throw new ProtocolException(Refusal.UNEXPECTED_FRAME, "session is closed");
    if (f.type() == FrameType.REFUSE) {
      Messages.Refuse r = Messages.Refuse.decode(f.payload());
      state = State.CLOSED;
      // Dropped, it echoes it: the primary tells it again until it hears that (a standby whose
      // stream just ends calls itself in sync; a dropped one must not).
      if (r.reason() == Refusal.DROPPED)
        out.add(new SessionAction.Send(new Frame(
            FrameType.REFUSE,
            epoch,
            0,
            new Messages.Refuse(Refusal.DROPPED, "dropped: no longer calling itself in sync")
                .encode())));
      out.add(new SessionAction.Close(r.reason(), "primary ended the session: " + r.message()));
      return;
    }
    if (state == State.AWAIT_HELLO) {
      expect(f, FrameType.HELLO);
      Messages.Hello hello = Messages.Hello.decode(f.payload());
      primaryName = hello.member();
      primaryNonce =
          hello.nonce(); // before the checks: a refusal for a stale epoch proves itself over it
      if (!actingStandby)
        throw new ProtocolException(
            Refusal.NOT_STANDBY, "this member is not a standby at epoch " + epoch);
      if (f.epoch() < epoch)
        throw new ProtocolException(
            Refusal.STALE_EPOCH, "primary at epoch " + f.epoch() + " but the unit is at " + epoch);
      if (f.epoch() > epoch)
        throw new ProtocolException(
            Refusal.UNKNOWN_EPOCH,
            "primary at epoch " + f.epoch() + " ahead of this member's " + epoch);
      primaryWantsSeal = hello.wantsSeal();
      standbyNonce = nonces.get();
      byte[] proof = auth.standbyProof(
          epoch, primaryNonce, standbyNonce, primaryWantsSeal, auth.sealsStream());
      state = State.AWAIT_AUTH;
      out.add(new SessionAction.Send(new Frame(
          FrameType.CHALLENGE,
          epoch,
          0,
          new Messages.Challenge(standbyNonce, proof, auth.sealsStream()).encode())));
      return;
    }
    checkEpoch(f);
    switch (state) {
      case AWAIT_AUTH -> {
        expect(f, FrameType.AUTH);
        Messages.Auth a = Messages.Auth.decode(f.payload());
        if (!PeerAuth.same(
            a.mac(),
            auth.primaryProof(
                epoch, primaryNonce, standbyNonce, primaryWantsSeal, auth.sealsStream()))) {
          throw new ProtocolException(
              Refusal.BAD_AUTH, "the primary's proof does not match the unit key");
        }
        seal = PeerAuth.sealed(primaryWantsSeal, auth.sealsStream())
            ? auth.standbySeal(epoch, primaryNonce, standbyNonce)
            : null;
        Messages.Position p = holdings.position();
        state = State.AWAIT_START;
        out.add(
            new SessionAction.Send(new Frame(FrameType.POSITION, epoch, p.lastSeq(), p.encode())));
      }
      case AWAIT_START -> {
        expect(f, FrameType.START);
        Messages.Start s = Messages.Start.decode(f.payload());
        out.add(new SessionAction.Started(s.kind(), s.commonPrefix(), s.fromSeq()));
        if (s.kind() == CatchUpPlan.Kind.STREAM) {
          if (s.fromSeq() != s.commonPrefix() + 1)
            throw new ProtocolException(Refusal.MALFORMED, "stream plan " + s);
          out.add(new SessionAction.Truncate(s.commonPrefix()));
          nextSeq = s.fromSeq();
          state = State.STREAMING;
        } else {
          state = State.SNAPSHOT;
          snapshotSeq = -1;
        }
      }
      case SNAPSHOT -> {
        switch (f.type()) {
          case SNAPSHOT_BEGIN -> {
            if (snapshotSeq >= 0)
              throw new ProtocolException(Refusal.UNEXPECTED_FRAME, "second SNAPSHOT_BEGIN");
            Messages.SnapshotBegin b = Messages.SnapshotBegin.decode(f.payload());
            snapshotSeq = b.seq();
            snapshotSize = b.size();
            snapshotReceived = 0;
            out.add(new SessionAction.SnapshotBegin(b.seq(), b.size()));
          }
          case SNAPSHOT_CHUNK -> {
            if (snapshotSeq < 0)
              throw new ProtocolException(Refusal.UNEXPECTED_FRAME, "chunk before SNAPSHOT_BEGIN");
            if (f.seq() != snapshotReceived)
              throw new ProtocolException(
                  Refusal.SEQUENCE_GAP, "chunk at " + f.seq() + ", expected " + snapshotReceived);
            if (snapshotReceived + f.payload().length > snapshotSize)
              throw new ProtocolException(Refusal.OVERSIZED, "snapshot longer than announced");
            snapshotReceived += f.payload().length;
            out.add(new SessionAction.SnapshotChunk(f.seq(), f.payload()));
          }
          case SNAPSHOT_END -> {
            if (snapshotSeq < 0 || snapshotReceived != snapshotSize) {
              throw new ProtocolException(
                  Refusal.TRUNCATED,
                  "snapshot ended at " + snapshotReceived + " of " + snapshotSize + " bytes");
            }
            if (f.payload().length != 4)
              throw new ProtocolException(Refusal.MALFORMED, "SNAPSHOT_END payload");
            int crc = java.nio.ByteBuffer.wrap(f.payload()).getInt();
            out.add(new SessionAction.SnapshotEnd(snapshotSeq, crc));
          }
          case HEARTBEAT -> heartbeat(f, out);
          default ->
            throw new ProtocolException(Refusal.UNEXPECTED_FRAME, f.type() + " during a snapshot");
        }
      }
      case STREAMING -> {
        switch (f.type()) {
          case BATCH -> batch(f, out);
          case HEARTBEAT -> heartbeat(f, out);
          default ->
            throw new ProtocolException(Refusal.UNEXPECTED_FRAME, f.type() + " while streaming");
        }
      }
      default -> throw new ProtocolException(Refusal.UNEXPECTED_FRAME, f.type() + " in " + state);
    }
  }

  private void batch(Frame f, List<SessionAction> out) throws ProtocolException {
    if (f.seq() != nextSeq)
      throw new ProtocolException(
          Refusal.SEQUENCE_GAP, "batch starts at " + f.seq() + ", expected " + nextSeq);
    byte[] p = f.payload();
    if (p.length == 0) throw new ProtocolException(Refusal.MALFORMED, "empty batch");
    List<LogRecord> records = new ArrayList<>();
    int off = 0;
    long expected = nextSeq;
    while (off < p.length) {
      LogRecord r = LogRecord.decode(p, off, p.length, limits);
      if (r.seq() != expected)
        throw new ProtocolException(
            Refusal.SEQUENCE_GAP, "record " + r.seq() + ", expected " + expected);
      if (Terms.epoch(r.term()) > epoch)
        throw new ProtocolException(
            Refusal.MALFORMED,
            "record from epoch " + Terms.epoch(r.term()) + " ahead of the session's " + epoch);
      records.add(r);
      off += r.encodedSize();
      expected++;
    }
    nextSeq = expected;
    out.add(new SessionAction.Append(p, records));
  }

  private void heartbeat(Frame f, List<SessionAction> out) throws ProtocolException {
    Messages.Heartbeat h = Messages.Heartbeat.decode(f.payload());
    out.add(new SessionAction.PeerPosition(h.lastSeq(), h.durableSeq(), h.sentAtMillis()));
  }

  private void checkEpoch(Frame f) throws ProtocolException {
    if (f.epoch() < epoch)
      throw new ProtocolException(
          Refusal.STALE_EPOCH, f.type() + " from epoch " + f.epoch() + " in a session at " + epoch);
    if (f.epoch() > epoch)
      throw new ProtocolException(
          Refusal.UNKNOWN_EPOCH,
          f.type() + " from epoch " + f.epoch() + " in a session at " + epoch);
  }

  private static void expect(Frame f, FrameType type) throws ProtocolException {
    if (f.type() != type)
      throw new ProtocolException(
          Refusal.UNEXPECTED_FRAME, "expected " + type + ", got " + f.type());
  }
}
