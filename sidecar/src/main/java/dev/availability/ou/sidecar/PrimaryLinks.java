package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PeerAuth;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A primary's replication links, one per standby endpoint it streams to: its peer's and, while a new standby catches
 * up (make-before-break), its next peer's. Follows the replica's role, epoch and endpoints: a link to an endpoint that
 * is neither any more is closed; a new primacy starts new links.
 */
final class PrimaryLinks implements AutoCloseable {
  private final Replica replica;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final Config cfg;
  private final Counters counters;
  private final Map<String, PrimaryLink> links = new HashMap<>();
  // Links whose standby was dropped, still telling it so (closed with the others).
  private final java.util.List<PrimaryLink> retired = new java.util.ArrayList<>();

  PrimaryLinks(Replica replica, PeerAuth auth, FrameCodec codec, Config cfg, Counters counters) {
    this.replica = replica;
    this.auth = auth;
    this.codec = codec;
    this.cfg = cfg;
    this.counters = counters;
  }

  /** After a change of role or assignment: the links this member should have now, and no others. */
  synchronized void follow(Role role, long epoch) {
    Set<String> wanted = new java.util.HashSet<>();
    if (role == Role.Primary) {
      String peer = replica.peerEndpoint();
      String next = replica.nextPeerEndpoint();
      if (peer != null && !peer.isBlank()) wanted.add(peer);
      if (next != null && !next.isBlank()) wanted.add(next);
    }
    for (Iterator<PrimaryLink> it = links.values().iterator(); it.hasNext(); ) {
      PrimaryLink l = it.next();
      // (a link whose thread ended, the primary having fenced itself, is replaced should it serve
      // again)
      if (l.epoch() != epoch || !wanted.contains(l.endpoint()) || !l.running()) {
        if (role == Role.Primary && l.epoch() == epoch && l.running()) {
          l.retire(); // it tells its standby it was dropped
          retired.add(l);
        } else l.close();
        it.remove();
      }
    }
    retired.removeIf(PrimaryLink::retiredAndDone);
    for (String endpoint : wanted)
      links.computeIfAbsent(
          endpoint, e -> new PrimaryLink(replica, auth, codec, cfg, counters, epoch, e));
  }

  @Override
  public synchronized void close() {
    links.values().forEach(PrimaryLink::close);
    links.clear();
    retired.forEach(PrimaryLink::close);
    retired.clear();
  }
}
