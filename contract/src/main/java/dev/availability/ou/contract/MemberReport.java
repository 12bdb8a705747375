package dev.availability.ou.contract;

import java.util.List;
import java.util.Objects;

/**
 * What a member's sidecar tells the operator, written on its own pod only when something the operator
 * decides on changes (never per heartbeat).
 *
 * @param role the role the sidecar acts in now
 * @param epoch the epoch it acts at
 * @param lastDurableSeq the last update sequence the member holds durably
 * @param lag for a standby: updates it trails the primary by (null when unknown)
 * @param inSync for a standby: it holds every update the primary acknowledged
 * @param peerLost the peer's heartbeats have stopped for longer than the unit's threshold
 * @param peerHeartbeatAgeMillis age of the peer's last heartbeat when the report was written
 * @param appHealthy the local manager's verdict on the application container
 * @param replicationEndpoint host:port the peer should connect to (pod IP from the Downward API)
 * @param reportedAtMillis when the sidecar wrote this (its clock, epoch milliseconds)
 * @param stateBytes the heap the member's keys and values take (null from sidecars that do not say)
 * @param heapMaxBytes the sidecar's heap
 * @param heapTooSmall the state needs more heap than the sidecar has ({@link SidecarHeap}): it will run out under rewriting
 * @param reprocessing for a primary in Journal mode: the ids of the stimuli that began before its promotion and have not
 *     ended (the previous primary had them in flight when it failed), oldest first, at most {@link #MAX_REPROCESSING};
 *     null from sidecars that do not say. The operator quarantines one that this member too fails on.
 * @param reprocessingNow those of them the application said it is reprocessing now ({@code OuClient.reprocessing}):
 *     when this member fails with one listed, only those are quarantined, not the others merely in flight; null or
 *     empty when it said nothing
 * @param inSyncSinceMillis for a standby in sync: since when, at this epoch (its clock, epoch milliseconds: the first
 *     report that said so); null when not in sync or from sidecars that do not say. The operator counts a Synchronous
 *     or Journal primary's unreadiness only from then: before it, nothing could be promoted, and such a primary may be
 *     unready for want of that very standby (PrimaryHealthEvaluator)
 */
public record MemberReport(
    Role role,
    long epoch,
    long lastDurableSeq,
    Long lag,
    Boolean inSync,
    Boolean peerLost,
    Long peerHeartbeatAgeMillis,
    Boolean appHealthy,
    String replicationEndpoint,
    long reportedAtMillis,
    Long stateBytes,
    Long heapMaxBytes,
    Boolean heapTooSmall,
    List<String> reprocessing,
    List<String> reprocessingNow,
    Long inSyncSinceMillis) {

  /** The most stimulus ids a report lists in {@link #reprocessing}; a longer list is cut (oldest kept). */
  public static final int MAX_REPROCESSING = 32;

  public MemberReport {
    reprocessing = reprocessing == null ? null : List.copyOf(reprocessing);
    reprocessingNow = reprocessingNow == null ? null : List.copyOf(reprocessingNow);
  }

  /**
   * Same facts for the operator: role, epoch, sync state (and since when), peer and application health, endpoint, whether
   * the heap is too small, the stimuli being reprocessed. Sequence numbers, lag, heartbeat age and the state's size move all the time
   * and are refreshed periodically instead.
   */
  public boolean sameFactsAs(MemberReport other) {
    return other != null
        && role == other.role
        && epoch == other.epoch
        && Objects.equals(inSync, other.inSync)
        && Objects.equals(inSyncSinceMillis, other.inSyncSinceMillis)
        && Objects.equals(peerLost, other.peerLost)
        && Objects.equals(appHealthy, other.appHealthy)
        && Objects.equals(replicationEndpoint, other.replicationEndpoint)
        && Objects.equals(heapTooSmall, other.heapTooSmall)
        && Objects.equals(reprocessing, other.reprocessing)
        && Objects.equals(reprocessingNow, other.reprocessingNow);
  }

  /** A report built field by field: what a caller does not set stays unsaid (null, or 0 for the numbers). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * For callers that say only part of a report (the sidecar doubles, tests): one setter per field, so a new field costs
   * no new constructor.
   */
  public static final class Builder {
    private Role role;
    private long epoch;
    private long lastDurableSeq;
    private Long lag;
    private Boolean inSync;
    private Boolean peerLost;
    private Long peerHeartbeatAgeMillis;
    private Boolean appHealthy;
    private String replicationEndpoint;
    private long reportedAtMillis;
    private Long stateBytes;
    private Long heapMaxBytes;
    private Boolean heapTooSmall;
    private List<String> reprocessing;
    private List<String> reprocessingNow;
    private Long inSyncSinceMillis;

    private Builder() {}

    public Builder role(Role role) {
      this.role = role;
      return this;
    }

    public Builder epoch(long epoch) {
      this.epoch = epoch;
      return this;
    }

    public Builder lastDurableSeq(long lastDurableSeq) {
      this.lastDurableSeq = lastDurableSeq;
      return this;
    }

    public Builder lag(Long lag) {
      this.lag = lag;
      return this;
    }

    public Builder inSync(Boolean inSync) {
      this.inSync = inSync;
      return this;
    }

    public Builder peerLost(Boolean peerLost) {
      this.peerLost = peerLost;
      return this;
    }

    public Builder peerHeartbeatAgeMillis(Long peerHeartbeatAgeMillis) {
      this.peerHeartbeatAgeMillis = peerHeartbeatAgeMillis;
      return this;
    }

    public Builder appHealthy(Boolean appHealthy) {
      this.appHealthy = appHealthy;
      return this;
    }

    public Builder replicationEndpoint(String replicationEndpoint) {
      this.replicationEndpoint = replicationEndpoint;
      return this;
    }

    public Builder reportedAtMillis(long reportedAtMillis) {
      this.reportedAtMillis = reportedAtMillis;
      return this;
    }

    public Builder stateBytes(Long stateBytes) {
      this.stateBytes = stateBytes;
      return this;
    }

    public Builder heapMaxBytes(Long heapMaxBytes) {
      this.heapMaxBytes = heapMaxBytes;
      return this;
    }

    public Builder heapTooSmall(Boolean heapTooSmall) {
      this.heapTooSmall = heapTooSmall;
      return this;
    }

    public Builder reprocessing(List<String> reprocessing) {
      this.reprocessing = reprocessing;
      return this;
    }

    public Builder reprocessingNow(List<String> reprocessingNow) {
      this.reprocessingNow = reprocessingNow;
      return this;
    }

    public Builder inSyncSinceMillis(Long inSyncSinceMillis) {
      this.inSyncSinceMillis = inSyncSinceMillis;
      return this;
    }

    public MemberReport build() {
      return new MemberReport(
          role,
          epoch,
          lastDurableSeq,
          lag,
          inSync,
          peerLost,
          peerHeartbeatAgeMillis,
          appHealthy,
          replicationEndpoint,
          reportedAtMillis,
          stateBytes,
          heapMaxBytes,
          heapTooSmall,
          reprocessing,
          reprocessingNow,
          inSyncSinceMillis);
    }
  }
}
