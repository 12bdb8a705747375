package dev.availability.ou.contract;

/**
 * What the operator tells a member: its role, the epoch it serves at and its peer. A sidecar acts on an
 * assignment only if its epoch is not older than the newest it has seen.
 *
 * @param role the member's role
 * @param epoch the promotion generation the role belongs to
 * @param peer the other member's pod name, or null when the unit has none right now
 * @param mode the replication mode (Synchronous, Asynchronous, Journal)
 */
public record Assignment(Role role, long epoch, String peer, String mode) {}
