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
 * grace period. A standby's sidecar leaves at once: nobody waits for it. Pure: the caller polls with its clock.
 */
final class ShutdownLinger {
  private ShutdownLinger() {}

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

  /** The member's assigned role and epoch when SIGTERM came. */
  record AtTerm(Role role, long epoch) {}

  /**
   * Null to stay, else why to leave now.
   *
   * @param role, epoch the member's assigned role and epoch now
   * @param elapsedMillis since SIGTERM
   */
  static String leaveBecause(Settings s, AtTerm atTerm, Role role, long epoch, long elapsedMillis) {
    if (atTerm.role() != Role.Primary) return "it was not the primary";
    if (elapsedMillis >= s.maxMillis())
      return "it stayed " + s.maxMillis() + " ms, the most it may (OU_SHUTDOWN_MAX)";
    if (role == Role.Standby && epoch > atTerm.epoch()) return null; // kept as the standby
    if (role == Role.Fenced) return "the operator released it";
    if (role == Role.Primary && epoch == atTerm.epoch() && elapsedMillis < s.keepWindowMillis())
      return null; // the operator may still keep it
    return "the operator did not keep it as the standby within " + s.keepWindowMillis() + " ms";
  }
}
