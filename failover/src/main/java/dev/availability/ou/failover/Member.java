package dev.availability.ou.failover;

import java.time.Instant;
import java.util.List;

/**
 * One member pod as the API server shows it.
 *
 * @param assignedRole role in the operator's assignment annotation (null when none)
 * @param assignedEpoch epoch of that assignment
 * @param assignedPeer peer named in that assignment (null when none), so a drifted peer is re-assigned
 * @param readySince when the Ready condition last changed (to debounce flapping)
 * @param app state of the application container (the first container of the template)
 * @param deletionRequestedAt deletion timestamp minus grace period, when the pod is being deleted
 * @param unschedulable the scheduler reported it cannot place the pod
 * @param report the sidecar's last report, or null when none arrived yet
 * @param assignedSettings the settings its assignment carries (null: none, or an assignment written before they travelled)
 * @param assignedNextPeer the catching-up standby named in that assignment (make-before-break), or null
 */
public record Member(
    String pod,
    long ordinal,
    String node,
    Role assignedRole,
    long assignedEpoch,
    String assignedPeer,
    PodPhase phase,
    boolean ready,
    Instant readySince,
    AppContainer app,
    Instant deletionRequestedAt,
    boolean unschedulable,
    String templateHash,
    Report report,
    MemberSettings assignedSettings,
    String assignedNextPeer) {

  public enum Role {
    Primary,
    Standby,
    Fenced
  }

  public enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown
  }

  public boolean deleting() {
    return deletionRequestedAt != null;
  }

  /** The pod stopped for good: Failed (evicted, terminated) or Succeeded (its containers exited). */
  public boolean terminated() {
    return phase == PodPhase.Failed || phase == PodPhase.Succeeded;
  }

  /** Whether its assignment already says exactly this (and names no next peer). */
  public boolean assigned(Role role, long epoch, String peer) {
    return assigned(role, epoch, peer, (String) null);
  }

  /** Whether its assignment already says exactly this, next peer included. */
  public boolean assigned(Role role, long epoch, String peer, String nextPeer) {
    return assignedRole == role
        && assignedEpoch == epoch
        && java.util.Objects.equals(assignedPeer, peer)
        && java.util.Objects.equals(assignedNextPeer, nextPeer);
  }

  /** The replication mode its sidecar was told to run (its assignment's), or {@code otherwise} when it carries none. */
  public UnitPolicy.Mode assignedMode(UnitPolicy.Mode otherwise) {
    return assignedSettings != null && assignedSettings.mode() != null
        ? assignedSettings.mode()
        : otherwise;
  }

  /** Whether its assignment says exactly this, with the unit's settings of the moment (an edit re-assigns it). */
  public boolean assigned(Role role, long epoch, String peer, MemberSettings settings) {
    return assigned(role, epoch, peer, null, settings);
  }

  /** As above, next peer included. */
  public boolean assigned(
      Role role, long epoch, String peer, String nextPeer, MemberSettings settings) {
    return assigned(role, epoch, peer, nextPeer)
        && java.util.Objects.equals(assignedSettings, settings);
  }

  public boolean scheduled() {
    return node != null && !node.isEmpty();
  }

  /**
   * The application container.
   *
   * @param state running, waiting or terminated
   * @param since when it entered that state (terminated: finishedAt)
   */
  public record AppContainer(State state, int restartCount, String reason, Instant since) {
    public enum State {
      Running,
      Waiting,
      Terminated,
      Unknown
    }

    public static AppContainer running(int restarts) {
      return new AppContainer(State.Running, restarts, null, null);
    }

    /**
     * It crashed and does not run: terminated, or waiting to be started again. Its {@link #restartCount} does not
     * count that restart yet: the kubelet counts it when the container runs again.
     */
    public boolean crashed() {
      return state == State.Terminated
          || (state == State.Waiting && (restartCount > 0 || "CrashLoopBackOff".equals(reason)));
    }
  }

  /**
   * What the member's sidecar reported (see the contract's MemberReport); memory is null from sidecars that do not say.
   *
   * @param reprocessing stimuli begun before this member's promotion and not ended (empty when none or not said)
   * @param reprocessingNow those the application said it is reprocessing now (empty when it said nothing)
   * @param inSyncSince a standby in sync: since when, at this epoch (null when not, or when its sidecar does not say)
   */
  public record Report(
      Role role,
      long epoch,
      long lastDurableSeq,
      Long lag,
      Boolean inSync,
      Boolean peerLost,
      Long peerHeartbeatAgeMillis,
      Boolean appHealthy,
      Instant reportedAt,
      Memory memory,
      List<String> reprocessing,
      List<String> reprocessingNow,
      Instant inSyncSince) {

    public Report {
      reprocessing = reprocessing == null ? List.of() : List.copyOf(reprocessing);
      reprocessingNow = reprocessingNow == null ? List.of() : List.copyOf(reprocessingNow);
    }
  }

  /**
   * The sidecar's state against its heap: {@code heapTooSmall} when the state needs more than the heap has (the sidecar
   * says so). The sizes the contract derives from the state come with it, worked out where the report is read, so the
   * core keeps no copy of the sizing rule: the heap the state needs, and the {@code spec.replication.stateMemory} to
   * declare for it.
   */
  public record Memory(
      long stateBytes,
      long heapMaxBytes,
      boolean heapTooSmall,
      long heapNeededBytes,
      long stateMemoryToDeclareMiB) {}
}
