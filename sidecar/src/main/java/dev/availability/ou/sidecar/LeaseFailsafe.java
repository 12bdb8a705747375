package dev.availability.ou.sidecar;

/**
 * Whether a primary whose lease could not be renewed may go on acknowledging writes (the failsafe of Patroni,
 * whose members confirm each other while the DCS is down). In Synchronous and Journal mode the lease is not what
 * keeps acknowledged writes safe: every write waits for the standby, and a promoted standby refuses the old epoch,
 * so a write this primary acknowledges is held by a standby that has not been promoted. The lease only bounds how
 * long a deposed primary could answer; a standby at this epoch that keeps confirming bounds it as well. So while
 * the API server cannot be reached (never when it answered that the lease is someone else's) and a standby at this
 * epoch was heard within the window, the primary serves on. Asynchronous mode, and a primary acknowledging without
 * a standby ({@code dataDurability: Preferred}), keep the lease rule: there nothing else stops a deposed primary.
 */
final class LeaseFailsafe {
  private LeaseFailsafe() {}

  /** The standby must have been heard within this many of its heartbeats. */
  static final int HEARTBEATS = 3;

  /**
   * Whether the standby confirms this primary well enough that it need not renew its lease (LeaseKeeper still does once every ten lease durations): Synchronous or
   * Journal, not acknowledging alone, the standby caught up at this epoch and heard within the last two heartbeats
   * (one to spare before {@link #serves} would stop it). The operator then counts the standby's in-sync report as
   * the primary's liveness (the failover core's PrimaryConfirmation); a primary that loses this confirmation renews
   * its lease again before its standby can report the loss.
   */
  static boolean confirms(
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean standbyCaughtUp,
      long standbyHeardAgeMillis,
      long heartbeatMillis) {
    if (mode == Mode.ASYNCHRONOUS || acksAlone || leaseTakenAway || !standbyCaughtUp) return false;
    return standbyHeardAgeMillis < (HEARTBEATS - 1) * heartbeatMillis;
  }

  /**
   * How long the standby's confirmation lasts from now if it is not heard again ({@link #confirms}' window): when a
   * confirmed primary must look again, so that a lapse is seen at once and the renewal it calls for has the failsafe's
   * last heartbeat ({@link #serves}) for its round trip, not what a look every heartbeat leaves of it.
   */
  static long confirmationLeftMillis(long standbyHeardAgeMillis, long heartbeatMillis) {
    return (HEARTBEATS - 1) * heartbeatMillis - standbyHeardAgeMillis;
  }

  static boolean serves(
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean standbyConnected,
      long standbyHeardAgeMillis,
      long heartbeatMillis) {
    if (mode == Mode.ASYNCHRONOUS || acksAlone || leaseTakenAway || !standbyConnected) return false;
    return standbyHeardAgeMillis < HEARTBEATS * heartbeatMillis;
  }
}
