package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import java.util.Map;

/**
 * How long a sidecar stays after SIGTERM. A primary's pod being deleted ({@code kubectl delete pod}, an eviction) fails
 * over at once, but its sidecar is the one member that holds the whole log: the operator keeps it as the new primary's
 * standby (assigned Standby at the next epoch) until a successor pod has started, so that a Synchronous primary with
 * {@code dataDurability: Required} acknowledges again at once instead of after a new pod's start. So a primary's
 * sidecar waits {@code keepWindow} for that assignment; kept, it serves as the standby until the operator releases it
 * (assigns it Fenced); in any case it leaves before {@code max}, ahead of the kubelet's SIGKILL at the end of the pod's
 * grace period. A standby's sidecar leaves at once: nobody waits for it. No I/O: the caller polls with its clock.
 */
final class ShutdownLinger {
  /**
   * @param keepWindowMillis how long a primary's sidecar waits to be kept as the standby
   * @param maxMillis the longest it stays (below the pod's termination grace period)
   */
  record Settings(long keepWindowMillis, long maxMillis) {
    /**
     * {@code OU_SHUTDOWN_KEEP_WINDOW} (default 5s under an operator, {@code OU_CONTROL=kubernetes}; 0s standalone,
     * where no operator keeps anything) and {@code OU_SHUTDOWN_MAX} (default 25s: within the pod's 30 s grace).
     */
    static Settings from(Map<String, String> settings, String control) {
      String keep = "kubernetes".equals(control) ? "5s" : "0s";
      return new Settings(
          Config.parseMillis(Config.get(settings, "OU_SHUTDOWN_KEEP_WINDOW", keep)),
          Config.parseMillis(Config.get(settings, "OU_SHUTDOWN_MAX", "25s")));
    }
  }

  /** How soon before SIGTERM a member assigned Standby must have been the primary to count as kept already. */
  static final long KEPT_BEFORE_SIGTERM_MILLIS = 3_000;

  private final Settings settings;
  private final Role roleAtTerm;
  private boolean kept;

  /**
   * For a member whose assigned role was {@code role} when SIGTERM came, and which was last the primary
   * {@code millisSincePrimary} before (0: it still was; {@link Long#MAX_VALUE}: never). The failover may reach the
   * sidecar before the kubelet's SIGTERM: a member assigned Standby that was the primary a moment before is one the
   * operator keeps.
   */
  ShutdownLinger(Settings settings, Role role, long millisSincePrimary) {
    this.settings = settings;
    this.roleAtTerm = role;
    this.kept = role == Role.Standby && millisSincePrimary <= KEPT_BEFORE_SIGTERM_MILLIS;
  }

  /**
   * Null to stay, else why to leave now. A primary waits the keep window; assigned Standby meanwhile (or already), it is
   * kept, and whatever it is assigned next releases it. Fenced before that, it is not kept.
   *
   * @param role the member's assigned role now
   * @param epoch its assigned epoch now (for the message)
   * @param elapsedMillis since SIGTERM
   */
  String leaveBecause(Role role, long epoch, long elapsedMillis) {
    if (roleAtTerm != Role.Primary && !kept)
      return "it was " + (roleAtTerm == null ? "not assigned" : "a " + roleAtTerm);
    if (elapsedMillis >= settings.maxMillis())
      return "it stayed " + settings.maxMillis() + " ms, the most it may (OU_SHUTDOWN_MAX)";
    if (role == Role.Standby) {
      kept = true;
      return null;
    }
    if (kept) return "the operator released it (" + role + " at epoch " + epoch + ")";
    if (role == Role.Fenced) return "the operator fenced it rather than keep it";
    if (elapsedMillis < settings.keepWindowMillis()) return null; // it may still be kept
    return "the operator did not keep it as the standby within " + settings.keepWindowMillis()
        + " ms";
  }

  /** Remembers when the member last stopped being the primary (a listener of its role changes). */
  static final class LastPrimary implements java.util.function.Consumer<Replica.RoleView> {
    private volatile boolean primary;
    private volatile long leftAtNanos;
    private volatile boolean left;

    LastPrimary(Role now) {
      primary = now == Role.Primary;
    }

    @Override
    public void accept(Replica.RoleView v) {
      boolean now = v.role() == Role.Primary;
      if (primary && !now) {
        leftAtNanos = System.nanoTime();
        left = true;
      }
      primary = now;
    }

    /** 0 while it is the primary; {@link Long#MAX_VALUE} when it never was since it was watched. */
    long millisSincePrimary() {
      if (primary) return 0;
      return left ? (System.nanoTime() - leftAtNanos) / 1_000_000 : Long.MAX_VALUE;
    }
  }
}
