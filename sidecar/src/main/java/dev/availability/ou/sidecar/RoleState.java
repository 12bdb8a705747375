package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;

/**
 * Where the member stands: its role, epoch and mode, whether it fenced itself, and as primary its term and sequences.
 * Guarded by the {@link Replica}'s lock; the volatile fields are also read without it.
 */
final class RoleState {
  volatile Role role; // null: unassigned
  volatile long epoch;
  volatile Mode mode;
  long term;
  String peerEndpoint;
  // The catching-up standby's endpoint (make-before-break), or null.
  String nextPeerEndpoint;
  // An assignment that makes the next peer the peer before it caught up in this primary's view:
  // held
  // back (the old peer stays) until it has (RoleAssignment.completeHandover).
  String pendingPeer;
  String pendingNextPeer;
  volatile boolean selfFenced;
  String fenceReason = "";
  long nextSeq;
  long promotionSeq;
  volatile boolean wasServing;
}
