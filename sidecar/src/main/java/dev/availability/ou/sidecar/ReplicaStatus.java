package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.Terms;
import java.util.ArrayList;
import java.util.List;

/** The replica's state as {@code name=value} lines for the status endpoint, read under the replica's lock. */
final class ReplicaStatus {
  private ReplicaStatus() {}

  static List<String> lines(Replica r, Config cfg, Store store, LogWriter writer) {
    synchronized (r) {
      Role role = r.role();
      List<String> l = new ArrayList<>();
      l.add("role=" + (role == null ? "UNASSIGNED" : role.name().toUpperCase()));
      l.add("epoch=" + r.epoch());
      l.add("term=" + Terms.format(r.term()));
      l.add("mode=" + r.mode().label());
      l.add("serving=" + r.view("").serving());
      l.add("fenceReason=" + r.fenceReason());
      l.add("lastSeq=" + r.lastSeq());
      l.add("durableSeq=" + writer.durableSeq());
      l.add("firstLogSeq=" + store.log().firstSeq());
      l.add("snapshotSeq=" + store.snapshotSeq());
      l.add("exactFromSeq=" + store.exactFromSeq());
      l.add("keys=" + store.state().size());
      l.add("stateBytes=" + store.state().bytes());
      l.add("promotionSeq=" + r.promotionSeq());
      l.add("standbyAckedSeq=" + r.acknowledgements().standbyAckedSeq());
      l.add("acknowledgingAlone=" + r.acknowledgingAlone());
      l.add("standbyConnected=" + r.acknowledgements().standbyConnected());
      l.add("primaryLastSeq=" + r.standbyProgress().primaryLastSeq());
      l.add("streaming=" + r.standbyProgress().streaming());
      l.add("inSync=" + r.standbyProgress().inSync());
      Long lag = r.lag();
      l.add("lag=" + (lag == null ? "unknown" : lag));
      String peer = r.peerEndpoint();
      l.add("peer=" + (peer == null ? "" : peer));
      String next = r.nextPeerEndpoint();
      StandbyAcks n = r.acknowledgements().standbyFor(next);
      l.add("nextPeer=" + (next == null ? "" : next));
      l.add("nextPeerAckedSeq=" + (n == null ? -1 : n.ackedSeq()));
      l.add("nextPeerCaughtUp=" + (n != null && n.caughtUp()));
      l.add("peerHeartbeatAgeMillis=" + r.peerHeartbeatAgeMillis());
      l.add("peerLost=" + (r.peerHeartbeatAgeMillis() > cfg.peerLostAfterMillis()));
      l.add("fsync=" + cfg.fsync());
      // The timings the unit's recovery budget gives (the operator's assignment carries them:
      // Timing).
      l.add("heartbeatMillis=" + cfg.heartbeatMillis());
      l.add("peerLostAfterMillis=" + cfg.peerLostAfterMillis());
      l.add("leaseSafetyMarginMillis=" + cfg.leaseSafetyMarginMillis());
      l.add("leaseDurationMillis="
          + (cfg.timing().leaseDuration() == null
              ? ""
              : cfg.timing().leaseDuration().toMillis()));
      return l;
    }
  }
}
