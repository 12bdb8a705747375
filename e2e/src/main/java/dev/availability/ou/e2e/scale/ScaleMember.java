package dev.availability.ou.e2e.scale;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberApi;
import dev.availability.ou.contract.MemberChannel;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;

/**
 * One member's sidecar, control path only, at the real sidecar's cadence: the lease renewed every third of its
 * duration after each success (a sixth after a failure), as {@code LeaseKeeper} does; a report built every
 * second ({@code OU_REPORT_INTERVAL}) and written when its facts change or every {@link MemberChannel#REPORT_REFRESH},
 * as {@code Sidecar.report} does; and, as primary with a peer, the peer's pod read every second, as
 * {@code KubernetesControl.peerLoop} does. A standby is in sync once its primary serves at its epoch (no data flows).
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
  private long sequence;

  ScaleMember(ScaleMembers all, MemberApi api, String pod, String ip) {
    this.all = all;
    this.pod = pod;
    this.ip = ip;
    this.channel = new MemberChannel(api, pod, clock);
  }

  void start() {
    Thread.ofVirtual().name("member-" + pod).start(() -> {
      // The first list of the watch is the caller's: retried here until it works, as a starting sidecar would.
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
    if (before == null || before.role() != a.role() || before.epoch() != a.epoch()) lastRenewalMillis = 0;
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

  /** One renewal if primary; how long to wait before the next (LeaseKeeper's rule). */
  private long renewOnce() {
    Assignment a = assignment;
    String unit = channel.unit();
    if (frozen || a == null || a.role() != Role.Primary || unit == null) return 1000;
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
      if (lastRenewalMillis > 0) all.renewalGaps.record(sent - lastRenewalMillis);
      lastRenewalMillis = sent;
      return Math.max(50, leaseMillis / 3);
    }
    // The real sidecar stops serving once its lease has run out and keeps trying; it reports its role unchanged.
    return duration > 0 ? Math.max(50, duration / 6) : 250;
  }

  private void reportLoop() {
    long nextPeerLookup = 0;
    while (!closed) {
      try {
        report();
        Assignment a = assignment;
        long now = clock.millis();
        if (!frozen && a != null && a.role() == Role.Primary && a.peer() != null && now >= nextPeerLookup) {
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
    if (reported == Role.Primary) sequence += 10; // the writes of a second; only facts, not positions, make a write
    channel.publish(new MemberReport(reported, a.epoch(), sequence, standby ? 0L : null, standby ? syncedEpoch == a.epoch() : null,
        Boolean.FALSE, 50L, Boolean.TRUE, ip + ":" + ContractKeys.REPLICATION_PORT, now));
  }

  /** A standby gets in sync once its primary serves at its epoch; a frozen primary streams nothing. */
  private boolean primaryServes(Assignment a) {
    if (a.peer() == null) return true;
    ScaleMember p = all.member(a.peer());
    Assignment pa = p == null ? null : p.assignment;
    return p != null && !p.frozen && pa != null && pa.role() == Role.Primary && pa.epoch() == a.epoch();
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
