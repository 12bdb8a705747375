package dev.availability.ou.sidecar;

import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.memberapi.MemberChannel;

/**
 * Where role, epoch and peer come from, and where reports and lease renewals go. In Kubernetes the
 * operator writes them on the pod ({@link KubernetesControl}); without Kubernetes the standalone
 * source takes them from flags and the local API's ASSIGN ({@link StandaloneControl}). The same
 * {@link Replica} sits behind both.
 */
interface ControlSource extends AutoCloseable {
  /** Starts delivering assignments to the replica. */
  void start(Replica replica) throws Exception;

  /** Whether a primary must hold a lease to acknowledge writes. */
  boolean leaseRequired();

  /** Renews the unit's primary lease at {@code epoch}. */
  MemberChannel.Renewal renewLease(long epoch);

  /** Renews it writing {@code duration} as its duration when it says another (null: keep the Lease's). */
  default MemberChannel.Renewal renewLease(long epoch, java.time.Duration duration) {
    return renewLease(epoch);
  }

  /**
   * Offers the member's report, every OU_REPORT_INTERVAL and at once on a role change; the source throttles (in
   * Kubernetes only changed facts, or positions every OU_POSITION_REPORT_INTERVAL, reach the API server).
   */
  void publish(MemberReport report);

  /** The last report published (for /status). */
  MemberReport lastReport();

  @Override
  void close();
}
