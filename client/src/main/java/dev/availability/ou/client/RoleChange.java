package dev.availability.ou.client;

/**
 * A role the sidecar took (delivered at once, and once when a listener subscribes).
 *
 * @param role the role now
 * @param epoch the promotion generation
 * @param serving whether this primary serves now: its lease valid, or its standby confirming it. Serve reads only
 *     while it does. Send writes to the sidecar whenever the role is primary: it decides, and a Synchronous primary
 *     whose lease renewal is in flight holds them for the answer rather than refusing them
 * @param reason why, in words
 * @param unit the unit this role is of: in a pooled sidecar (a shared standby), the unit the application now
 *     serves, or null while it serves none; null from a sidecar that is not pooled
 * @param unavailableDependencies the units this unit depends on that are unavailable now (never null; see
 *     {@link OuClient#onDependencyChange})
 */
public record RoleChange(
    MemberRole role,
    long epoch,
    boolean serving,
    String reason,
    String unit,
    java.util.List<String> unavailableDependencies) {
  public RoleChange {
    unavailableDependencies = unavailableDependencies == null
        ? java.util.List.of()
        : java.util.List.copyOf(unavailableDependencies);
  }

  /** A role change with no unavailable dependency. */
  public RoleChange(MemberRole role, long epoch, boolean serving, String reason, String unit) {
    this(role, epoch, serving, reason, unit, java.util.List.of());
  }

  /** A role change of a sidecar that is not pooled (no unit). */
  public RoleChange(MemberRole role, long epoch, boolean serving, String reason) {
    this(role, epoch, serving, reason, null);
  }
}
