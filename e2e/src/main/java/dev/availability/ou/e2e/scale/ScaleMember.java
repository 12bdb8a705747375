package dev.availability.ou.e2e.scale;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberApi;
import dev.availability.ou.memberapi.MemberChannel;
import java.time.Clock;
import java.time.Duration;

/**
 * One member's sidecar, control path only, at the real sidecar's cadence: the lease renewed every third of its
 * duration after each success (a sixth after a failure), and only every ten lease durations while its standby
 * confirms it (Synchronous, Journal), as {@code LeaseKeeper} does; a standby reporting its primary lost after OU_PEER_LOST_AFTER of silence; a report built every
 * second ({@code OU_REPORT_INTERVAL}) and written by {@link MemberChannel#publish} when its facts change or every {@link MemberChannel#REPORT_REFRESH}
 * ({@link MemberChannel#SYNCHRONOUS_REPORT_REFRESH} once in sync under a Synchronous assignment), as the sidecar's {@code KubernetesControl} does; and, as primary with a peer not streaming from it, the peer's pod read every
 * second, as {@code KubernetesControl.peerLoop} does. A standby is in sync once its primary serves at its epoch (no data flows).
 */
final class ScaleMember {
  static final long REPORT_INTERVAL_MS = 1000;
  static final long PEER_LOOKUP_MS = 1000;

  private final ScaleMembers all;
  private final MemberChannel channel;
  private final String pod;
  private final Clock clock = Clock.systemUTC();
  private final Object wake = new Object();
  volatile String ip;
  volatile boolean frozen;
  private volatile boolean closed;
  private volatile Assignment assignment;
  private volatile long lastRenewalMillis;
  private volatile long leaseMillis = 2000;
  private volatile long syncedEpoch = -1;
  /** The epoch at which this member, as standby, has written a report saying in sync; -1 before. */
  volatile long reportedInSyncEpoch = -1;

  private long sequence;
  private final boolean asynchronous;
  private final long peerLostAfterMillis;
  private long nextRenewalMillis;
  private long confirmedSinceMillis; // 0: its standby does not confirm it
  private long primarySilentSinceMillis; // 0: as a standby it hears its primary

  /** {@code mode} and {@code peerLostAfterMillis} as the operator set them in the sidecar's environment. */
  ScaleMember(
      ScaleMembers all,
      MemberApi api,
      String pod,
      String ip,
      String mode,
      long peerLostAfterMillis) {
    this.all = all;
    this.asynchronous = "Asynchronous".equals(mode);
    this.peerLostAfterMillis = peerLostAfterMillis;
    this.pod = pod;
    this.ip = ip;
    this.channel = new MemberChannel(
        api,
        pod,
        null,
        clock,
        MemberChannel.REPORT_REFRESH,
        MemberChannel.SYNCHRONOUS_REPORT_REFRESH);
  }

  void start() {
    Thread.ofVirtual().name("member-" + pod).start(() -> {
      // The first list of the watch is the caller's: retried here until it works, as a starting
      // sidecar would.
      while (!closed) {
        try {
          channel.onAssignment(this::assigned, trouble -> {});
          break;
        } catch (RuntimeException e) {
          pause(1000);
        }
      }
      Thread.ofVirtual().name("member-report-" + pod).start(this::reportLoop);
      leaseLoop();
    });
  }

  private void assigned(Assignment a) {
    Assignment before = assignment;
    if (before == null || before.role() != a.role() || before.epoch() != a.epoch())
      lastRenewalMillis = 0;
    assignment = a;
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void leaseLoop() {
    while (!closed) {
      pause(renewOnce());
    }
  }

  /**
   * One look, as LeaseKeeper: renews when due unless its standby has confirmed it for a lease duration
   * (Synchronous, Journal); how long to wait before the next look (a heartbeat at most).
   */
  private long renewOnce() {
    Assignment a = assignment;
    String unit = channel.unit();
    if (frozen || a == null || a.role() != Role.Primary || unit == null) return 1000;
    long now = clock.millis();
    long heartbeat = Math.max(50, peerLostAfterMillis / 4);
    boolean confirmed = standbyConfirms(a);
    if (!confirmed && confirmedSinceMillis != 0) nextRenewalMillis = now; // lost: renew at once
    if (!confirmed) confirmedSinceMillis = 0;
    else if (confirmedSinceMillis == 0) confirmedSinceMillis = now;
    if (confirmed
        && lastRenewalMillis > 0
        && now - confirmedSinceMillis >= leaseMillis
        && now - lastRenewalMillis < 10L * leaseMillis) {
      return heartbeat; // (LeaseKeeper.CONFIRMED_RENEWAL_LEASES)
    }
    if (now < nextRenewalMillis) return Math.min(heartbeat, nextRenewalMillis - now);
    long wait = renew(unit, a);
    nextRenewalMillis = now + wait;
    return Math.min(heartbeat, wait);
  }

  private long renew(String unit, Assignment a) {
    long sent = clock.millis();
    MemberChannel.Renewal r;
    try {
      r = channel.renewPrimaryLease(unit, a.epoch());
    } catch (RuntimeException e) {
      r = new MemberChannel.Renewal(false, Duration.ofMillis(leaseMillis), e.getMessage());
    }
    long now = clock.millis();
    all.renewalLatency.record(now - sent);
    long duration = r.leaseDuration().toMillis();
    if (duration > 0) leaseMillis = duration;
    if (r.held()) {
      if (lastRenewalMillis > 0 && sent - lastRenewalMillis < 2 * leaseMillis)
        all.renewalGaps.record(sent - lastRenewalMillis); // (not after a confirmed spell)
      lastRenewalMillis = sent;
      return Math.max(50, leaseMillis / 3);
    }
    // The real sidecar stops serving once its lease has run out and keeps trying; it reports its
    // role unchanged.
    return duration > 0 ? Math.max(50, duration / 6) : 250;
  }

  /** Its standby at this epoch streams from it (it is not frozen). */
  private boolean standbyStreams(Assignment a) {
    ScaleMember sb = all.member(a.peer());
    Assignment sa = sb == null ? null : sb.assignment;
    return sb != null
        && !sb.frozen
        && sa != null
        && sa.role() == Role.Standby
        && sa.epoch() == a.epoch();
  }

  /** As LeaseFailsafe.confirms: not Asynchronous, its standby at this epoch in sync and not frozen. */
  private boolean standbyConfirms(Assignment a) {
    if (asynchronous || a.peer() == null) return false;
    ScaleMember sb = all.member(a.peer());
    Assignment sa = sb == null ? null : sb.assignment;
    return sb != null
        && !sb.frozen
        && sa != null
        && sa.role() == Role.Standby
        && sa.epoch() == a.epoch()
        && sb.syncedEpoch == a.epoch();
  }

  private void reportLoop() {
    long nextPeerLookup = 0;
    while (!closed) {
      try {
        report();
        Assignment a = assignment;
        long now = clock.millis();
        // (as KubernetesControl.peerLoop: only while its standby is not streaming from it)
        if (!frozen
            && a != null
            && a.role() == Role.Primary
            && a.peer() != null
            && !standbyStreams(a)
            && now >= nextPeerLookup) {
          nextPeerLookup = now + PEER_LOOKUP_MS;
          channel.peerReplicationEndpoint(a.peer());
        }
      } catch (RuntimeException e) {
        // the API server may be busy; the real sidecar logs and tries again at the next tick
      }
      pause(REPORT_INTERVAL_MS);
    }
  }

  private void report() {
    Assignment a = assignment;
    if (frozen || a == null) return;
    long now = clock.millis();
    Role reported = a.role();
    boolean standby = reported == Role.Standby;
    if (standby && syncedEpoch != a.epoch() && primaryServes(a)) syncedEpoch = a.epoch();
    ScaleMember primary = a.peer() == null ? null : all.member(a.peer());
    boolean hears = a.peer() == null
        || (primary != null && !primary.frozen); // (a sidecar that runs beats, serving or not)
    if (!standby || hears) primarySilentSinceMillis = 0;
    else if (primarySilentSinceMillis == 0) primarySilentSinceMillis = now;
    // As the real standby: the primary's heartbeats lost for OU_PEER_LOST_AFTER.
    long silent = primarySilentSinceMillis == 0 ? 0 : now - primarySilentSinceMillis;
    boolean lost = silent >= peerLostAfterMillis;
    if (reported == Role.Primary)
      sequence += 10; // the writes of a second; only facts, not positions, make a write
    boolean inSync = standby && syncedEpoch == a.epoch();
    boolean wrote = channel.publish(MemberReport.builder()
        .role(reported)
        .epoch(a.epoch())
        .lastDurableSeq(sequence)
        .lag(standby ? 0L : null)
        .inSync(standby ? inSync : null)
        .peerLost(lost)
        .peerHeartbeatAgeMillis(lost ? silent : 50L)
        .appHealthy(Boolean.TRUE)
        .replicationEndpoint(ip + ":" + ContractKeys.REPLICATION_PORT)
        .reportedAtMillis(now)
        .build());
    if (wrote) reportedInSyncEpoch = inSync ? a.epoch() : -1;
  }

  /** A standby gets in sync once its primary serves at its epoch; a frozen primary streams nothing. */
  private boolean primaryServes(Assignment a) {
    if (a.peer() == null) return true;
    ScaleMember p = all.member(a.peer());
    Assignment pa = p == null ? null : p.assignment;
    return p != null
        && !p.frozen
        && pa != null
        && pa.role() == Role.Primary
        && pa.epoch() == a.epoch();
  }

  private void pause(long millis) {
    synchronized (wake) {
      if (closed) return;
      try {
        wake.wait(millis);
      } catch (InterruptedException e) {
        closed = true;
      }
    }
  }

  void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
    channel.close();
  }
}
