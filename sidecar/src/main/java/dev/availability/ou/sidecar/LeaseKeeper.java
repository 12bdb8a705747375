package dev.availability.ou.sidecar;

import dev.availability.ou.contract.MemberChannel;
import dev.availability.ou.contract.Role;

/**
 * Renews the unit's primary lease while this member is primary, every third of the lease duration.
 * A renewal counts from the moment it was sent: the primary may acknowledge writes until that moment
 * plus the lease duration minus the safety margin, and stops (fences itself) afterwards, so it has
 * stopped before the lease can have expired for the operator.
 */
final class LeaseKeeper implements AutoCloseable {
  private final ControlSource control;
  private final Replica replica;
  private final long marginMillis;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String lastReason = "";

  LeaseKeeper(ControlSource control, Replica replica, long marginMillis) {
    this.control = control;
    this.replica = replica;
    this.marginMillis = marginMillis;
    replica.leaseRequired(control.leaseRequired());
    thread = new Thread(this::loop, "ou-lease");
    thread.setDaemon(true);
    if (control.leaseRequired()) thread.start();
    replica.listeners().addRoleListener(v -> {
      if (v.role() == Role.Primary) wake();
    });
  }

  private void wake() {
    synchronized (this) {
      notifyAll();
    }
  }

  /** One renewal; returns how long to wait before the next one. */
  long renewOnce() {
    if (replica.role() != Role.Primary) return 1000;
    long epoch = replica.epoch();
    long sent = System.nanoTime();
    MemberChannel.Renewal r = control.renewLease(epoch);
    long durationMillis = r.leaseDuration().toMillis();
    if (r.held() && durationMillis > 0) {
      replica.leaseRenewed(sent + Math.max(0, durationMillis - marginMillis) * 1_000_000L);
      lastReason = r.reason();
      return Math.max(50, durationMillis / 3);
    }
    if (!r.reason().equals(lastReason)) Logs.warn("lease not renewed at epoch " + epoch + ": " + r.reason());
    lastReason = r.reason();
    replica.leaseNotRenewed(r.takenAway(), r.reason());
    return durationMillis > 0 ? Math.max(50, durationMillis / 6) : 250;
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
          if (running) wait(wait);
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
