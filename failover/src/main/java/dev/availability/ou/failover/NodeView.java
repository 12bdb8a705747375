package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;

/**
 * A node as the API server shows it.
 *
 * @param ready the Ready condition: True, False or Unknown
 * @param readySince when the Ready condition last changed
 * @param leaseRenewedAt last renewal of the node's lease in kube-node-lease (null when unknown)
 * @param leaseDuration that lease's duration
 */
public record NodeView(String name, Ready ready, Instant readySince, Instant leaseRenewedAt, Duration leaseDuration) {
  public enum Ready { True, False, Unknown }

  public boolean healthy() {
    return ready == Ready.True;
  }
}
