package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;

/**
 * A node as the API server shows it.
 *
 * @param ready the Ready condition: True, False or Unknown
 * @param readySince when the Ready condition last changed
 * @param leaseRenewedAt when the operator saw the last renewal of the node's lease in kube-node-lease, by its own
 *     clock (null when unknown)
 * @param leaseDuration that lease's duration
 * @param observedAt when this view was taken; null when the lease is not the kubelet's own (held under another name)
 *     and so says nothing of it
 * @param maintenance whether and why the node is being emptied (cordoned: {@code spec.unschedulable}, or a drain or
 *     scale-down taint, see {@link NodeMaintenance#TAINTS}); null when it is not
 */
public record NodeView(
    String name,
    Ready ready,
    Instant readySince,
    Instant leaseRenewedAt,
    Duration leaseDuration,
    Instant observedAt,
    Maintenance maintenance) {
  public enum Ready {
    True,
    False,
    Unknown
  }

  /**
   * A node being emptied.
   *
   * @param why in words ("cordoned", "being removed by the cluster autoscaler (taint …)")
   * @param since when it began (the taint's timeAdded), or null when the node does not say
   */
  public record Maintenance(String why, Instant since) {}

  public NodeView(
      String name,
      Ready ready,
      Instant readySince,
      Instant leaseRenewedAt,
      Duration leaseDuration,
      Instant observedAt) {
    this(name, ready, readySince, leaseRenewedAt, leaseDuration, observedAt, null);
  }

  public NodeView(
      String name,
      Ready ready,
      Instant readySince,
      Instant leaseRenewedAt,
      Duration leaseDuration) {
    this(name, ready, readySince, leaseRenewedAt, leaseDuration, null, null);
  }

  /** Cordoned or tainted for a drain: pods are about to be evicted from it, and none should be placed there. */
  public boolean underMaintenance() {
    return maintenance != null;
  }

  /**
   * When the node's lease, as last seen renewed, turns stale (1.5 kubelet renewal periods later,
   * {@link Thresholds#nodeLeaseStaleAfter}); null when unknown. Stale once the time is strictly past it.
   */
  public java.time.Instant leaseStaleAt() {
    if (leaseRenewedAt == null || leaseDuration == null) return null;
    return leaseRenewedAt.plus(Thresholds.nodeLeaseStaleAfter(leaseDuration));
  }

  /**
   * Ready; or Unknown while its kubelet's heartbeats still arrive. Unknown is the node controller's verdict on
   * missing heartbeats, which it may reach before the renewals do: after the API server was down longer than the
   * controller's grace period it marks every node Unknown at once, and a unit would lose its standby (or fail over)
   * for nothing. A lease renewed within its duration, as the operator saw it, says the kubelet is alive. False is the
   * kubelet's own word and always counts.
   */
  public boolean healthy() {
    if (ready == Ready.True) return true;
    return ready == Ready.Unknown
        && observedAt != null
        && leaseRenewedAt != null
        && leaseDuration != null
        && observedAt.isBefore(leaseRenewedAt.plus(leaseDuration));
  }
}
