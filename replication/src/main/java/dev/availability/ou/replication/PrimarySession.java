package dev.availability.ou.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * The primary's side of one replication session (the side that dials the standby): HELLO, verify the
 * standby's proof, AUTH, receive its POSITION, plan the catch-up, then stream and count ACKs.
 * A standby that cannot prove the key is never streamed to; an ACK from another epoch or beyond what
 * was sent is a protocol error; a peer at a newer epoch tells us we were deposed.
 */
public final class PrimarySession {
  public enum State {
    AWAIT_CHALLENGE,
    AWAIT_POSITION,
    PLANNING,
    STREAMING,
    CLOSED
  }

  /** What the primary's log holds now. */
  public interface LogView {
    long firstSeq();

    long lastSeq();

    TermHistory history();
  }

  private final PeerAuth auth;
  private final long epoch;
  private final String member;
  private final LogView log;
  private final byte[] nonce;
  private State state = State.AWAIT_CHALLENGE;
  private FrameSeal seal;
  private long sentUpTo;
  private long acked = -1;

  public PrimarySession(PeerAuth auth, long epoch, String member, LogView log, byte[] nonce) {
    this.auth = auth;
    this.epoch = epoch;
    this.member = member;
    this.log = log;
    this.nonce = nonce;
  }

  public State state() {
    return state;
  }

  public long epoch() {
    return epoch;
  }

  public long acked() {
    return acked;
  }

  /**
   * This connection's sealing state, set once the standby proved the key (null before): every frame
   * after AUTH is written and read with it ({@link FrameCodec#write(java.io.OutputStream, FrameSeal, Frame)}).
   */
  public FrameSeal seal() {
    return seal;
  }

  /** Whether a REFUSE from a newer epoch proves it with the unit key over this session's nonce. */
  private boolean provesNewerEpoch(Frame f) {
    try {
      byte[] proof = Messages.Refuse.decode(f.payload()).epochProof();
      return proof.length > 0 && PeerAuth.same(proof, auth.newerEpochProof(f.epoch(), nonce));
    } catch (ProtocolException e) {
      return false;
    }
  }

  /** The first frame of the session. */
  public Frame hello() {
    return new Frame(
        FrameType.HELLO, epoch, 0, new Messages.Hello(nonce, member, auth.sealsStream()).encode());
  }

  /** After PlanReady: the START frame for the chosen plan ({@code fromSeq} = snapshot seq + 1 for a snapshot). */
  public Frame start(CatchUpPlan.Kind kind, long commonPrefix, long fromSeq) {
    if (state != State.PLANNING) throw new IllegalStateException("not planning: " + state);
    state = State.STREAMING;
    sentUpTo = fromSeq - 1;
    acked = kind == CatchUpPlan.Kind.STREAM ? commonPrefix : -1;
    return new Frame(
        FrameType.START, epoch, fromSeq, new Messages.Start(kind, commonPrefix, fromSeq).encode());
  }

  /** Notes that records up to {@code seq} were sent (ACKs beyond it are refused). */
  public void sent(long seq) {
    sentUpTo = Math.max(sentUpTo, seq);
  }

  public Frame batch(long firstSeq, byte[] records) {
    return new Frame(FrameType.BATCH, epoch, firstSeq, records);
  }

  public Frame heartbeat(long lastSeq, long durableSeq, long nowMillis) {
    return new Frame(
        FrameType.HEARTBEAT,
        epoch,
        lastSeq,
        new Messages.Heartbeat(lastSeq, durableSeq, nowMillis).encode());
  }

  public List<SessionAction> onFrame(Frame f) {
    List<SessionAction> out = new ArrayList<>(2);
    try {
      handle(f, out);
    } catch (ProtocolException e) {
      return refuse(e.reason(), e.getMessage());
    }
    return out;
  }

  public List<SessionAction> refuse(Refusal reason, String message) {
    state = State.CLOSED;
    return List.of(
        new SessionAction.Send(
            new Frame(FrameType.REFUSE, epoch, 0, new Messages.Refuse(reason, message).encode())),
        new SessionAction.Close(reason, message));
  }

  private void handle(Frame f, List<SessionAction> out) throws ProtocolException {
    if (state == State.CLOSED) {
      // Ended by this primary (a refusal, or DROPPED): what the standby sent before it read that is
      // moot, and its own refusal after it is its goodbye, the proof it heard (a dropped standby
      // echoes DROPPED: only then is the primary sure it no longer calls itself in sync).
      if (f.type() == FrameType.REFUSE) {
        Messages.Refuse r = Messages.Refuse.decode(f.payload());
        out.add(new SessionAction.Close(r.reason(), "standby ended the session: " + r.message()));
      }
      return;
    }
    if (f.epoch() > epoch) {
      state = State.CLOSED;
      // Deposed only on proof: a sealed frame (it opened, so it comes from a holder of the key) or
      // a refusal that proves the newer epoch over this session's nonce. Anyone else claiming one
      // just ends the session.
      boolean proven = seal != null || (f.type() == FrameType.REFUSE && provesNewerEpoch(f));
      if (proven) out.add(new SessionAction.Deposed(f.epoch()));
      out.add(new SessionAction.Close(
          Refusal.STALE_EPOCH,
          "peer is at epoch " + f.epoch() + ", this primary at " + epoch
              + (proven ? "" : " (unproven: not deposed)")));
      return;
    }
    if (f.type() == FrameType.REFUSE) {
      Messages.Refuse r = Messages.Refuse.decode(f.payload());
      state = State.CLOSED;
      out.add(new SessionAction.Close(r.reason(), "standby refused: " + r.message()));
      return;
    }
    if (f.epoch() < epoch)
      throw new ProtocolException(
          Refusal.STALE_EPOCH, f.type() + " from epoch " + f.epoch() + " in a session at " + epoch);
    switch (state) {
      case AWAIT_CHALLENGE -> {
        expect(f, FrameType.CHALLENGE);
        Messages.Challenge c = Messages.Challenge.decode(f.payload());
        boolean mine = auth.sealsStream();
        if (!PeerAuth.same(
            c.mac(), auth.standbyProof(epoch, nonce, c.nonce(), mine, c.wantsSeal()))) {
          throw new ProtocolException(
              Refusal.BAD_AUTH, "the standby's proof does not match the unit key");
        }
        seal =
            PeerAuth.sealed(mine, c.wantsSeal()) ? auth.primarySeal(epoch, nonce, c.nonce()) : null;
        state = State.AWAIT_POSITION;
        out.add(new SessionAction.Send(new Frame(
            FrameType.AUTH,
            epoch,
            0,
            new Messages.Auth(auth.primaryProof(epoch, nonce, c.nonce(), mine, c.wantsSeal()))
                .encode())));
      }
      case AWAIT_POSITION -> {
        expect(f, FrameType.POSITION);
        Messages.Position p = Messages.Position.decode(f.payload());
        state = State.PLANNING;
        out.add(new SessionAction.PlanReady(
            CatchUpPlan.plan(log.firstSeq(), log.lastSeq(), log.history(), p), p));
      }
      case STREAMING -> {
        switch (f.type()) {
          case ACK -> {
            if (f.seq() > sentUpTo)
              throw new ProtocolException(
                  Refusal.SEQUENCE_GAP, "ACK of " + f.seq() + " beyond " + sentUpTo + " sent");
            if (f.seq() > acked) {
              acked = f.seq();
              out.add(new SessionAction.Acked(f.seq()));
            }
          }
          case HEARTBEAT -> {
            Messages.Heartbeat h = Messages.Heartbeat.decode(f.payload());
            out.add(new SessionAction.PeerPosition(h.lastSeq(), h.durableSeq(), h.sentAtMillis()));
          }
          default ->
            throw new ProtocolException(Refusal.UNEXPECTED_FRAME, f.type() + " while streaming");
        }
      }
      default -> throw new ProtocolException(Refusal.UNEXPECTED_FRAME, f.type() + " in " + state);
    }
  }

  private static void expect(Frame f, FrameType type) throws ProtocolException {
    if (f.type() != type)
      throw new ProtocolException(
          Refusal.UNEXPECTED_FRAME, "expected " + type + ", got " + f.type());
  }
}
