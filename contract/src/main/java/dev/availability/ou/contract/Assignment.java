package dev.availability.ou.contract;

import java.util.List;

/**
 * What the operator tells a member: its role, the epoch it serves at, its peer, and the settings it runs by. A
 * sidecar acts on an assignment only if its epoch is not older than the newest it has seen. The settings travel
 * here (not in the pod's environment alone) so that an edit of the unit's mode or recovery budget reaches running
 * sidecars without replacing a pod: the operator rewrites the assignment when they differ.
 *
 * @param role the member's role
 * @param epoch the promotion generation the role belongs to
 * @param peer the other member's pod name, or null when the unit has none right now
 * @param mode the replication mode (Synchronous, Asynchronous, Journal)
 * @param timing the timings derived from the unit's recovery budget, or null (an operator that sent none)
 * @param quarantined ids of stimuli the operator quarantined (both copies failed on them): the application must not
 *     reprocess them but settle them (tell their users they were ignored); never null
 * @param unavailableDependencies names of the units this unit depends on that are unavailable now (no serving
 *     primary for longer than their unavailableAfter): the application should run degraded; never null (read as
 *     empty from an older operator's JSON; an older sidecar ignores it)
 * @param nextPeer a primary's catching-up standby (make-before-break), or null: the primary streams to it as well as
 *     to {@code peer} while acknowledging nothing {@code peer} does not hold; once the operator reassigns it as the
 *     {@code peer} (it reported in sync) the primary drops the old one. Only {@code peer} is ever promoted. An older
 *     sidecar ignores it (it streams to {@code peer} alone), so the operator must know its sidecars honour it
 *     (docs/pools.md, step 5)
 */
public record Assignment(
    Role role,
    long epoch,
    String peer,
    String mode,
    Timing timing,
    List<String> quarantined,
    List<String> unavailableDependencies,
    String nextPeer) {

  public Assignment {
    quarantined = quarantined == null ? List.of() : List.copyOf(quarantined);
    unavailableDependencies =
        unavailableDependencies == null ? List.of() : List.copyOf(unavailableDependencies);
  }

  public Assignment(
      Role role,
      long epoch,
      String peer,
      String mode,
      Timing timing,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    this(role, epoch, peer, mode, timing, quarantined, unavailableDependencies, null);
  }

  public Assignment(
      Role role, long epoch, String peer, String mode, Timing timing, List<String> quarantined) {
    this(role, epoch, peer, mode, timing, quarantined, List.of());
  }

  public Assignment(Role role, long epoch, String peer, String mode, Timing timing) {
    this(role, epoch, peer, mode, timing, List.of());
  }

  public Assignment(Role role, long epoch, String peer, String mode) {
    this(role, epoch, peer, mode, null);
  }

  /**
   * The sidecar's timings, all in milliseconds, computed by the operator from the unit's recovery budget.
   *
   * @param heartbeatMillis how often the members exchange heartbeats
   * @param peerLostAfterMillis silence after which a member reports its peer lost
   * @param leaseDurationMillis the primary Lease's duration; the primary writes it with its next renewal
   * @param leaseSafetyMarginMillis how long before its lease would lapse the primary stops acknowledging
   */
  public record Timing(
      long heartbeatMillis,
      long peerLostAfterMillis,
      long leaseDurationMillis,
      long leaseSafetyMarginMillis) {}
}
