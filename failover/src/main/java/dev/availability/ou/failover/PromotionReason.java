package dev.availability.ou.failover;

import java.util.Arrays;

/**
 * Why a promotion was decided: a fault, named by its main {@link Signal.Kind}, or a move someone chose. The status keeps
 * its {@link #name()} ({@link Intent#reason()}, {@link FailoverTimings#reason()}, the reason of condition
 * FailoverInProgress), so it survives an operator restart; the core reads that name back in one place, {@link #of}.
 */
sealed interface PromotionReason {

  /** The name the status keeps. */
  String name();

  /**
   * The primary's node (or the network to it) was suspected: the former primary's graceful deletion may never finish,
   * and it may come back with its node.
   */
  boolean suspectsNode();

  /** A fault the decider saw on the primary. */
  record Fault(Signal.Kind signal) implements PromotionReason {
    @Override
    public String name() {
      return signal.name();
    }

    @Override
    public boolean suspectsNode() {
      return signal.suspectsNode();
    }
  }

  /** A move chosen rather than forced by a fault: by the user, by a drain, or by the decider itself. */
  enum Chosen implements PromotionReason {
    /** A switchover the user asked for (annotation {@code switchover-to}, {@link RequestDecider}). */
    Requested,
    /** A drill the user asked for ({@link RequestDecider}). */
    Drill,
    /** The user fenced the primary ({@link Fencing}). */
    Fenced,
    /** The primary's node is being drained ({@link dev.availability.ou.failover.NodeMaintenance}). */
    NodeMaintenance,
    /** The primary runs an outdated spec: the updated standby takes over first ({@link PlannedSwitchover}). */
    SpecChanged,
    /** Back to the home node ({@link PlannedSwitchover}). */
    Failback;

    @Override
    public boolean suspectsNode() {
      return false;
    }
  }

  /** The reason the status names {@code name}; null when none, or a name this operator does not know. */
  static PromotionReason of(String name) {
    if (name == null) return null;
    for (Chosen c : Chosen.values()) {
      if (c.name().equals(name)) return c;
    }
    return Arrays.stream(Signal.Kind.values())
        .filter(k -> k.name().equals(name))
        .findFirst()
        .<PromotionReason>map(Fault::new)
        .orElse(null);
  }

  /** Whether {@code reason} (null: none known) suspected the primary's node. */
  static boolean suspectsNode(PromotionReason reason) {
    return reason != null && reason.suspectsNode();
  }
}
