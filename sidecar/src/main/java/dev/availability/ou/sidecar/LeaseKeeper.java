package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import java.util.function.LongSupplier;

/**
 * Renews the unit's primary lease while this member is primary, every third of the lease duration.
 * A renewal counts from the moment it was sent: the primary may acknowledge writes until that moment
 * plus the lease duration minus the safety margin, and stops (fences itself) afterwards, so it has
 * stopped before the lease can have expired for the operator.
 *
 * <p>In Synchronous and Journal mode a primary whose standby has confirmed it for a whole lease duration
 * ({@link LeaseFailsafe#confirms}) writes its lease only every {@link #CONFIRMED_RENEWAL_LEASES} lease durations:
 * the operator counts its standby's in-sync report as its liveness, so a steady unit costs the API server no write per renewal (one write each 0.4 T_r / 3 per unit
 * was what kept one operator from carrying a thousand units). The lease duration of waiting gives the operator
 * time to see the standby's report first. The confirmation is checked when it would lapse (at most a heartbeat
 * apart); once it is gone the lease is renewed at once, before the standby can report the loss.
 */
final class LeaseKeeper implements AutoCloseable {
  /**
   * A confirmed primary still renews once every this many lease durations: the Lease keeps showing who holds it
   * (kubectl, and an operator that rewrote it sees it renewed), and a lease the API server gave to another is
   * noticed even while the standby confirms — for one write in ten lease durations instead of thirty.
   */
  static final int CONFIRMED_RENEWAL_LEASES = 10;

  private final ControlSource control;
  private final Replica replica;
  private final LongSupplier marginMillis;
  private final LongSupplier heartbeatMillis;
  /** The lease duration the operator wants (0: the Lease's own); a renewal writes it when the Lease says another. */
  private final LongSupplier wantedDurationMillis;

  private final Thread thread;
  private final LongSupplier
      nanoTime; // the replica's: the valid-until instants it is told are on its clock
  private volatile boolean running = true;
  private volatile String lastReason = "";
  private long epochSeen = -1;
  private long durationMillis;
  private long nextRenewalNanos;
  private boolean confirmed;
  private long lastRenewalNanos;
  private long confirmedSinceNanos;
  private boolean renewedAtEpoch; // said once per epoch: how long the first renewal took

  LeaseKeeper(ControlSource control, Replica replica, long marginMillis) {
    this(control, replica, marginMillis, 200);
  }

  LeaseKeeper(ControlSource control, Replica replica, long marginMillis, long heartbeatMillis) {
    this(control, replica, fixed(marginMillis, heartbeatMillis), true);
  }

  /** One whose margin, heartbeat and lease duration follow {@code timing} (the operator's assignment). */
  LeaseKeeper(ControlSource control, Replica replica, Timing timing) {
    this(control, replica, timing, true);
  }

  /** One that renews only when the caller calls {@link #renewOnce} (tests, on the replica's clock); no thread of its own. */
  static LeaseKeeper steppedByCaller(
      ControlSource control, Replica replica, long marginMillis, long heartbeatMillis) {
    return new LeaseKeeper(control, replica, fixed(marginMillis, heartbeatMillis), false);
  }

  static LeaseKeeper steppedByCaller(ControlSource control, Replica replica, Timing timing) {
    return new LeaseKeeper(control, replica, timing, false);
  }

  private static Timing fixed(long marginMillis, long heartbeatMillis) {
    return new Timing(heartbeatMillis, 0, marginMillis);
  }

  private LeaseKeeper(ControlSource control, Replica replica, Timing timing, boolean ownThread) {
    this.control = control;
    this.nanoTime = replica.nanoTime();
    this.replica = replica;
    this.marginMillis = timing::leaseSafetyMarginMillis;
    this.heartbeatMillis = () -> Math.max(10, timing.heartbeatMillis());
    this.wantedDurationMillis =
        () -> timing.leaseDuration() == null ? 0 : timing.leaseDuration().toMillis();
    replica.leaseRequired(control.leaseRequired());
    thread = new Thread(this::loop, "ou-lease");
    thread.setDaemon(true);
    if (ownThread && control.leaseRequired()) thread.start();
    replica.listeners().addRoleListener(v -> {
      if (v.role() == Role.Primary) wake();
    });
  }

  // Set by wake(), cleared by the loop: a wake-up between a look and the wait that follows it is
  // not lost.
  private boolean woken;

  /** Looks again now: a member just promoted renews before it serves, and that renewal is what its clients wait for. */
  void wake() {
    synchronized (this) {
      woken = true;
      notifyAll();
    }
  }

  /** One look: renews when due and the standby does not vouch for this primary; returns how long to wait before the next look. */
  long renewOnce() {
    if (replica.role() != Role.Primary) return 1000;
    long epoch = replica.epoch();
    long now = nanoTime.getAsLong();
    if (epoch != epochSeen) {
      epochSeen = epoch;
      renewedAtEpoch = false;
      confirmed = false;
      nextRenewalNanos = now;
    }
    boolean confirmedNow = replica.confirmedByStandby();
    if (confirmedNow && !confirmed) confirmedSinceNanos = now;
    if (!confirmedNow && confirmed)
      nextRenewalNanos = now; // lost: renew at once, before the standby can report it
    confirmed = confirmedNow;
    long wanted = wantedDurationMillis.getAsLong();
    boolean durationChanges = wanted > 0 && durationMillis > 0 && wanted != durationMillis;
    if (durationChanges)
      nextRenewalNanos = now; // a new budget: written with a renewal now, not ten leases from now
    long heartbeatMillis = this.heartbeatMillis.getAsLong();
    if (confirmed
        && !durationChanges
        && durationMillis > 0
        && now - confirmedSinceNanos >= durationMillis * 1_000_000L
        && now - lastRenewalNanos < CONFIRMED_RENEWAL_LEASES * durationMillis * 1_000_000L) {
      // Again when the confirmation would lapse, not a heartbeat on: the renewal then has the
      // failsafe's last heartbeat for its round trip (LeaseFailsafe.confirmationLeftMillis).
      return Math.max(1, Math.min(heartbeatMillis, replica.confirmationLeftMillis()));
    }
    if (now - nextRenewalNanos < 0)
      return Math.max(1, Math.min(heartbeatMillis, (nextRenewalNanos - now) / 1_000_000));
    lastRenewalNanos = now;
    long wait = renew(epoch, now);
    nextRenewalNanos = now + wait * 1_000_000L;
    return Math.min(heartbeatMillis, wait);
  }

  /** One renewal sent at {@code sent}; returns how long until the next one is due. */
  private long renew(long epoch, long sent) {
    long wanted = wantedDurationMillis.getAsLong();
    if (wanted > 0 && durationMillis > 0 && wanted < durationMillis)
      replica.leaseCapped(sent + Math.max(0, wanted - marginMillis.getAsLong()) * 1_000_000L);
    // Writes wait for this answer rather than being refused, for at most a lease duration
    // (LeaseRenewalHold).
    replica.leaseRenewalSending(durationMillis > 0 ? durationMillis : wanted);
    MemberChannel.Renewal r;
    try {
      r = control.renewLease(epoch, wanted > 0 ? java.time.Duration.ofMillis(wanted) : null);
    } catch (RuntimeException e) {
      replica.leaseNotRenewed(false, "the renewal failed: " + e); // held writes: refused now
      throw e;
    }
    long duration = r.leaseDuration().toMillis();
    if (duration > 0) durationMillis = duration;
    if (r.held() && duration > 0) {
      if (!renewedAtEpoch)
        Logs.info("lease held at epoch " + epoch + " (the renewal took "
            + (nanoTime.getAsLong() - sent) / 1_000_000 + " ms)");
      renewedAtEpoch = true;
      replica.leaseRenewed(sent + Math.max(0, duration - marginMillis.getAsLong()) * 1_000_000L);
      lastReason = r.reason();
      return Math.max(50, duration / 3);
    }
    if (!r.reason().equals(lastReason))
      Logs.warn("lease not renewed at epoch " + epoch + ": " + r.reason());
    lastReason = r.reason();
    replica.leaseNotRenewed(r.takenAway(), r.reason());
    return duration > 0 ? Math.max(50, duration / 6) : 250;
  }

  private void loop() {
    while (running) {
      long wait;
      try {
        wait = renewOnce();
      } catch (RuntimeException e) {
        Logs.error("lease renewal failed", e);
        wait = 250;
      }
      synchronized (this) {
        try {
          // (a standby looks again only every second: a promotion's wake-up that came while it
          // looked would otherwise wait that second out)
          if (running && !woken) wait(wait);
          woken = false;
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
