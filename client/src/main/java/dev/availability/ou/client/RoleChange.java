package dev.availability.ou.client;

/**
 * A role the sidecar took (delivered at once, and once when a listener subscribes).
 *
 * @param role the role now
 * @param epoch the promotion generation
 * @param serving whether writes are accepted now (a primary whose lease lapsed is not serving)
 * @param reason why, in words
 */
public record RoleChange(MemberRole role, long epoch, boolean serving, String reason) {}
