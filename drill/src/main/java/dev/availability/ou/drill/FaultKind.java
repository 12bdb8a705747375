package dev.availability.ou.drill;

import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.testsupport.Progress;
import java.time.Duration;

/**
 * The faults a machine really has, as the drills give them to a unit's primary: each injected through the
 * same commands a user types ({@code testenv/local-cluster}, the API), with what undoing it takes and how
 * many failovers it should cost.
 */
public enum FaultKind {
  /** SIGKILL to the primary's application container; its pod's restart policy restarts it. */
  CONTAINER_CRASH("container-crash", 1, true) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) throws Exception {
      d.cluster.run("kill-container", d.namespace, d.primary(), Drill.UNIT);
    }
  },
  /** The primary pod deleted (default grace period). */
  POD_DELETE("pod-delete", 1, true) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) {
      d.cluster.client.pods().inNamespace(d.namespace).withName(d.primary()).delete();
    }
  },
  /** The primary's node dies: its processes get SIGKILL and its heartbeats stop; healed once the unit recovered. */
  NODE_KILL("kill-node", 1, true) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) throws Exception {
      d.cluster.run("kill-node", d.faultedNode = d.primaryNode());
    }
  },
  /** The primary's node cut off from the API server and every other node; healed once the unit recovered. */
  PARTITION("partition", 1, true) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) throws Exception {
      d.cluster.run("partition-node", d.faultedNode = d.primaryNode());
    }
  },
  /** The application crashes and the operator is killed as soon as the failover has begun; a new operator finishes it. */
  OPERATOR_KILLED_MID_FAILOVER("operator-killed-mid-failover", 1, false) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) throws Exception {
      String primary = d.primary();
      d.cluster.run("kill-container", d.namespace, primary, Drill.UNIT);
      await("the failover of " + d.namespace + " starts")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() ->
              d.units.phase(Drill.UNIT) == UnitPhase.FailingOver || !primary.equals(d.primary()));
      operator.killAndRestart();
    }
  },
  /**
   * The API server stopped for {@code hold}, then started again: nothing should fail over. The fault ends when the
   * control plane's endpoint controller works again ({@link EndpointControllerProbe}), so that the next failover is
   * timed against a working control plane.
   */
  API_SERVER_DOWN("api-server-down", 0, false) {
    @Override
    void inject(Drill d, DrillOperator operator, Duration hold) throws Exception {
      d.cluster.run("stop", "kube-apiserver");
      try {
        Drill.pause(hold);
      } finally {
        d.cluster.run("start", "kube-apiserver");
      }
      Duration resumed = EndpointControllerProbe.awaitResumed(d, Duration.ofMinutes(3));
      Progress.log("drill " + d.namespace
          + ": the API server is back; kube-controller-manager's endpoint controller worked again "
          + resumed.toMillis() + " ms later");
    }
  };

  /** The fault's name in figures and JSON. */
  public final String label;
  /** Failovers the unit should make. */
  public final int failovers;
  /**
   * Whether the unit's recovery budget covers it: a single failure of the primary. Not the operator killed in
   * the middle (a second failure, of the manager itself) nor the control plane down (no failover to make).
   */
  public final boolean coveredByBudget;

  FaultKind(String label, int failovers, boolean coveredByBudget) {
    this.label = label;
    this.failovers = failovers;
    this.coveredByBudget = coveredByBudget;
  }

  /** The kind whose {@link #label} is {@code label}. */
  public static FaultKind ofLabel(String label) {
    for (FaultKind k : values()) if (k.label.equals(label)) return k;
    throw new IllegalArgumentException("no fault kind '" + label + "': one of "
        + java.util.Arrays.stream(values()).map(k -> k.label).toList());
  }

  /** Gives the fault to {@code d}'s primary ({@code hold}: how long a held fault lasts). */
  abstract void inject(Drill d, DrillOperator operator, Duration hold) throws Exception;

  /** Heals the node a node fault took, if any. */
  void undo(Drill d) throws Exception {
    if (d.faultedNode != null) {
      String node = d.faultedNode;
      d.faultedNode = null;
      d.cluster.run("heal-node", node);
    }
  }
}
