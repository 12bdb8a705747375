package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.RecordType;
import dev.availability.ou.replication.Terms;
import dev.availability.ou.sidecar.Replica.RoleView;
import java.io.IOException;
import java.util.Properties;

/**
 * Taking an assignment from the operator (or standalone control): ignores older epochs, refuses a promotion while the
 * state is not exact yet, and on a change of role or epoch persists the epoch and, for a primary, starts a new term.
 * Apart from {@link Replica}, which holds the role ({@link RoleState}) and serves writes, under whose lock it runs.
 */
final class RoleAssignment {
  private final Replica replica; // its lock orders assignments with writes and the stream
  private final RoleState current;
  private final Config cfg;
  private final Store store;
  private final LogWriter writer;
  private final Counters counters;
  private final WriteAcknowledgements acks;
  private final StandbyProgress standby;
  private final ReplicaListeners listeners;

  RoleAssignment(
      Replica replica,
      RoleState current,
      Config cfg,
      Store store,
      LogWriter writer,
      Counters counters,
      WriteAcknowledgements acks,
      StandbyProgress standby,
      ReplicaListeners listeners) {
    this.replica = replica;
    this.current = current;
    this.cfg = cfg;
    this.store = store;
    this.writer = writer;
    this.counters = counters;
    this.acks = acks;
    this.standby = standby;
    this.listeners = listeners;
  }

  /**
   * Takes an assignment; returns whether anything changed. Older epochs are ignored. {@code peer} and {@code nextPeer}
   * are replication endpoints (null: none); see {@link #standbys} for the next peer.
   */
  boolean assign(
      Role newRole, long newEpoch, String peer, String nextPeer, Mode newMode, String reason)
      throws IOException {
    RoleView view;
    synchronized (replica) {
      if (newEpoch < current.epoch) {
        Logs.warn("ignored assignment " + newRole + " at epoch " + newEpoch
            + ": this member is at epoch " + current.epoch);
        counters.inc("staleAssignmentsIgnored");
        return false;
      }
      if (newRole == Role.Primary
          && current.role != Role.Primary
          && writer.durableSeq() < store.exactFromSeq()) {
        // A snapshot received from the old primary is fuzzy until the stream reaches its consistent
        // sequence: serving it would show keys at values from different moments. The operator sees
        // no confirmation and moves on.
        Logs.warn(
            "refused promotion at epoch " + newEpoch + ": the state is exact only from sequence "
                + store.exactFromSeq() + " and this member holds up to " + writer.durableSeq());
        counters.inc("promotionsRefusedNotExact");
        return false;
      }
      if (newMode != null) current.mode = newMode;
      boolean sameRole = newRole == current.role
          && newEpoch == current.epoch
          && !(newRole == Role.Primary && current.selfFenced);
      standbys(sameRole && current.role == Role.Primary, blankAsNull(peer), blankAsNull(nextPeer));
      if (sameRole) {
        view = null;
      } else {
        Role old = current.role;
        if (newEpoch > current.epoch) {
          Properties p = store.member();
          p.setProperty("epoch", Long.toString(newEpoch));
          store.saveMember(p);
        }
        current.epoch = newEpoch;
        current.role = newRole;
        current.selfFenced = false;
        current.fenceReason = "";
        acks.forgetStandbyAcked();
        standby.reset();
        if (newRole == Role.Primary) becomePrimary();
        Logs.info("role " + old + " -> " + newRole + " at epoch " + newEpoch + " (mode "
            + current.mode.label() + ", peer " + peer + "): " + reason);
        counters.inc("roleChanges");
        view = replica.view(reason);
      }
    }
    if (view == null) {
      // same role and epoch: only the peer or mode may have changed; tell the listeners outside the
      // lock
      listeners.publish(replica.view("assignment refreshed"));
      acks.progress();
      return false;
    }
    acks.failAll(
        newRole == Role.Primary
            ? LocalProtocol.FENCED
            : newRole == Role.Standby ? LocalProtocol.NOT_PRIMARY : LocalProtocol.FENCED,
        "role changed to " + newRole + " at epoch " + newEpoch);
    listeners.publish(view);
    return true;
  }

  /**
   * Sets the peer and next peer. Make-before-break: a primary streams to both and acknowledges nothing its peer does
   * not hold, nor, once the next peer caught up, what the next peer does not hold; an assignment that makes the next
   * peer its peer drops the old one only once the next peer caught up in this primary's own view (not on the
   * operator's reading of a report alone): until then it is held back, the old peer kept ({@link #completeHandover}).
   */
  private void standbys(boolean samePrimary, String peer, String nextPeer) {
    boolean handover = samePrimary && peer != null && peer.equals(current.nextPeerEndpoint);
    if (handover && !acks.nextCaughtUp(peer)) {
      if (!peer.equals(current.pendingPeer))
        Logs.info("next peer " + peer + " not caught up yet: it becomes the peer once it has");
      current.pendingPeer = peer;
      current.pendingNextPeer = nextPeer;
      return;
    }
    current.pendingPeer = null;
    current.pendingNextPeer = null;
    // A new standby (or none) that was not the next peer: the old one is being replaced, so nothing
    // waits for it any more.
    if (samePrimary
        && !handover
        && cfg.acknowledgeAlone()
        && !java.util.Objects.equals(current.peerEndpoint, peer)) acks.acksAlone(true);
    if (handover) {
      counters.inc("nextPeerHandovers");
      Logs.info("next peer " + peer + " caught up: it is the peer now, " + current.peerEndpoint
          + " is dropped");
    }
    current.peerEndpoint = peer;
    current.nextPeerEndpoint = nextPeer == null || nextPeer.equals(peer) ? null : nextPeer;
    acks.standbys(current.peerEndpoint, current.nextPeerEndpoint);
  }

  /** A held-back handover whose next peer has caught up now: it is the peer (the links follow). */
  void completeHandover() {
    synchronized (replica) {
      String p = current.pendingPeer;
      if (p == null || current.role != Role.Primary || !acks.nextCaughtUp(p)) return;
      standbys(true, p, current.pendingNextPeer);
    }
    listeners.publish(replica.view("next peer caught up"));
    acks.progress();
  }

  private static String blankAsNull(String endpoint) {
    return endpoint == null || endpoint.isBlank() ? null : endpoint;
  }

  private void becomePrimary() throws IOException {
    Properties p = store.member();
    int inc = Long.toString(current.epoch).equals(p.getProperty("incarnationEpoch"))
        ? Integer.parseInt(p.getProperty("incarnation", "0")) + 1
        : 1;
    p.setProperty("incarnationEpoch", Long.toString(current.epoch));
    p.setProperty("incarnation", Integer.toString(inc));
    store.saveMember(p);
    current.term = Terms.of(current.epoch, inc);
    // Back at an epoch it already served (a restart), with its standby still its peer: that standby
    // may hold records this primary lost, so nothing is acknowledged on one copy before it was
    // heard (see PrimaryLink).
    acks.acksAlone(cfg.acknowledgeAlone()
        && (inc == 1 || current.peerEndpoint == null || current.peerEndpoint.isBlank()));
    current.promotionSeq = current.nextSeq;
    LogRecord start =
        new LogRecord(current.nextSeq++, current.term, RecordType.TERM_START, null, null);
    store.state().apply(start);
    writer.append(start);
    current.wasServing = replica.serving();
    counters.set("promotionSeq", current.promotionSeq);
  }
}
