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

  private final Settings settings;
  private final Role roleAtTerm;
  private final long epochAtTerm;
  private boolean kept;

  /** For a member whose assigned role and epoch were {@code role} and {@code epoch} when SIGTERM came. */
  ShutdownLinger(Settings settings, Role role, long epoch) {
    this.settings = settings;
    this.roleAtTerm = role;
    this.epochAtTerm = epoch;
  }

  /**
   * Null to stay, else why to leave now. The failover fences the former primary at the new epoch before it keeps it, so
   * only a member kept first (assigned Standby at a newer epoch) takes Fenced as its release; until then it waits the
   * keep window whatever it is assigned.
   *
   * @param role the member's assigned role now
   * @param epoch its assigned epoch now
   * @param elapsedMillis since SIGTERM
   */
  String leaveBecause(Role role, long epoch, long elapsedMillis) {
    if (roleAtTerm != Role.Primary) return "it was not the primary";
    if (elapsedMillis >= settings.maxMillis())
      return "it stayed " + settings.maxMillis() + " ms, the most it may (OU_SHUTDOWN_MAX)";
    boolean keptNow = role == Role.Standby && epoch > epochAtTerm;
    if (keptNow) {
      kept = true;
      return null;
    }
    if (kept) return "the operator released it (" + role + " at epoch " + epoch + ")";
    if (elapsedMillis < settings.keepWindowMillis()) return null; // it may still be kept
    return "the operator did not keep it as the standby within " + settings.keepWindowMillis()
        + " ms";
  }
}
