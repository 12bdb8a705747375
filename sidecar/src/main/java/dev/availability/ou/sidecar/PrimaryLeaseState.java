package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Lease bookkeeping (Kubernetes control) for a primary: writes are acknowledged only before the lease's
 * {@code validUntilNanos}, or past it in the failsafe (LeaseFailsafe): while a standby at its epoch confirms it — the API server unreachable,
 * or (Synchronous, Journal) a confirmed primary between its sparse renewals.
 */
final class PrimaryLeaseState {
  private final Config cfg;
  private final Counters counters;
  private final Supplier<Mode> mode;
  private final WriteAcknowledgements acks;
  private final LongSupplier peerHeartbeatAgeMillis;
  private final LongSupplier nanoTime;

  private volatile boolean leaseRequired;
  private volatile long leaseValidUntilNanos;
  // The API server answered that the lease is someone else's (or gone): no failsafe (LeaseFailsafe)
  // then.
  private volatile boolean leaseTakenAway;
  private volatile boolean inFailsafe;
  // A renewal sent and not answered yet; whether the last answered one failed; how long writes may
  // be held for one
  // (LeaseRenewalHold).
  private volatile boolean renewalInFlight;
  private volatile boolean renewalFailed;
  private volatile long holdLimitMillis;

  PrimaryLeaseState(
      Config cfg,
      Counters counters,
      Supplier<Mode> mode,
      WriteAcknowledgements acks,
      LongSupplier peerHeartbeatAgeMillis,
      LongSupplier nanoTime) {
    this.cfg = cfg;
    this.counters = counters;
    this.mode = mode;
    this.acks = acks;
    this.peerHeartbeatAgeMillis = peerHeartbeatAgeMillis;
    this.nanoTime = nanoTime;
  }

  void required(boolean required) {
    leaseRequired = required;
  }

  /** A renewal is being sent: writes may be held for its answer for up to {@code holdLimitMillis} (LeaseRenewalHold). */
  void renewalSending(long holdLimitMillis) {
    this.holdLimitMillis = holdLimitMillis;
    renewalFailed = false;
    renewalInFlight = true;
  }

  void renewed(long validUntilNanos) {
    renewalInFlight = false;
    renewalFailed = false;
    leaseValidUntilNanos = validUntilNanos;
    leaseTakenAway = false;
    if (inFailsafe) Logs.info("lease renewed: the failsafe is over");
    inFailsafe = false;
  }

  /**
   * Before a renewal that writes a shorter duration: the lease counts as valid no longer than the new duration from
   * that renewal's sending, whether or not its answer arrives (a write applied whose answer was lost would otherwise
   * leave this primary trusting the old, longer duration the operator no longer reads).
   */
  void capped(long validUntilNanos) {
    if (validUntilNanos - leaseValidUntilNanos < 0) leaseValidUntilNanos = validUntilNanos;
  }

  /** A renewal failed: {@code takenAway} when the API server said the lease is not ours, else it was not reached. */
  void notRenewed(boolean takenAway, String why, long epoch) {
    if (takenAway) leaseTakenAway = true;
    renewalInFlight = false;
    renewalFailed = true;
    boolean failsafe = failsafe();
    if (failsafe && !inFailsafe) {
      counters.inc("failsafeEntered");
      Logs.warn("lease not renewed (" + why + "): serving on while the standby at epoch " + epoch
          + " confirms every write (failsafe)");
    }
    inFailsafe = failsafe;
  }

  /** Whether a member in {@code role} acknowledges writes now, with this lease (ServingRule.serving). */
  boolean serving(Role role, boolean selfFenced, boolean writerFailed) {
    return ServingRule.serving(
        role,
        selfFenced,
        writerFailed,
        leaseRequired,
        leaseValidUntilNanos,
        nanoTime.getAsLong(),
        mode.get(),
        acks.acksAlone(),
        leaseTakenAway,
        acks.confirmingStandbyConnected(),
        peerHeartbeatAgeMillis.getAsLong(),
        cfg.heartbeatMillis());
  }

  boolean ok() {
    return ServingRule.leaseOk(
        leaseRequired,
        leaseValidUntilNanos,
        nanoTime.getAsLong(),
        mode.get(),
        acks.acksAlone(),
        leaseTakenAway,
        acks.confirmingStandbyConnected(),
        peerHeartbeatAgeMillis.getAsLong(),
        cfg.heartbeatMillis());
  }

  /** The standby confirms this primary so that it need not write its lease (LeaseFailsafe.confirms). */
  boolean confirmedByStandby() {
    return leaseRequired
        && LeaseFailsafe.confirms(
            mode.get(),
            acks.acksAlone(),
            leaseTakenAway,
            acks.standbyCaughtUp(),
            peerHeartbeatAgeMillis.getAsLong(),
            cfg.heartbeatMillis());
  }

  /** How long the standby's confirmation lasts if it is not heard again (LeaseFailsafe.confirmationLeftMillis). */
  long confirmationLeftMillis() {
    return LeaseFailsafe.confirmationLeftMillis(
        peerHeartbeatAgeMillis.getAsLong(), cfg.heartbeatMillis());
  }

  /** Serving past the lease on the standby's confirmation (LeaseFailsafe): API server unreachable, or renewals skipped. */
  boolean failsafe() {
    return ServingRule.failsafe(
        leaseRequired,
        leaseValidUntilNanos,
        nanoTime.getAsLong(),
        mode.get(),
        acks.acksAlone(),
        leaseTakenAway,
        acks.confirmingStandbyConnected(),
        peerHeartbeatAgeMillis.getAsLong(),
        cfg.heartbeatMillis());
  }

  /** Whether writes wait for the renewal instead of being refused, {@code lapsedForMillis} into a lapse (LeaseRenewalHold). */
  boolean holdsWrites(Role role, boolean selfFenced, boolean writerFailed, long lapsedForMillis) {
    return leaseRequired
        && LeaseRenewalHold.holds(
            role,
            selfFenced,
            writerFailed,
            mode.get(),
            acks.acksAlone(),
            leaseTakenAway,
            renewalInFlight,
            renewalFailed,
            lapsedForMillis,
            holdLimitMillis);
  }
}
