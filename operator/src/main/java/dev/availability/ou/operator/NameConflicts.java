package dev.availability.ou.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Objects named like one of the unit's that the unit did not create. The unit never takes one over (it could be
 * another team's Service or a key an attacker chose): it reports them and changes nothing until they are gone.
 */
final class NameConflicts {
  static final String REASON = "NameConflict";

  private NameConflicts() {}

  /** Whether the object carries an owner reference to the unit with this uid. */
  static boolean ownedBy(HasMetadata object, String unitUid) {
    var refs = object.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> Objects.equals(unitUid, r.getUid()));
  }

  /** "Kind name" of each existing object (nulls are absent ones) the unit does not own. */
  static List<String> among(Collection<? extends HasMetadata> existing, String unitUid) {
    return existing.stream()
        .filter(Objects::nonNull)
        .filter(o -> !ownedBy(o, unitUid))
        .map(NameConflicts::describe)
        .toList();
  }

  /**
   * The pods named like the primary or standby of the unit's status that the unit did not create (nor its pool: a
   * pooled unit's standby is the pool's pod). Such a pod is not a member, so the failover core would see the member gone
   * and fail it over; the unit reports the conflict instead, on every pass, until the pod is gone (seen in CI: a
   * foreign pod named like the first primary, NameConflict reported once, then overwritten by a blocked failover).
   */
  static List<String> amongMembers(
      dev.availability.ou.api.OperationalUnit unit,
      java.util.function.Function<String, ? extends HasMetadata> podNamed) {
    var status = unit.getStatus();
    if (status == null) return List.of();
    List<String> names = new java.util.ArrayList<>();
    if (status.getPrimary() != null) names.add(status.getPrimary().getPod());
    if (status.getStandby() != null) names.add(status.getStandby().getPod());
    return among(
        names.stream()
            .filter(Objects::nonNull)
            .map(podNamed)
            .filter(p -> p == null || !ownedByAPool(p))
            .toList(),
        unit.getMetadata().getUid());
  }

  private static boolean ownedByAPool(HasMetadata object) {
    var refs = object.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> "StandbyPool".equals(r.getKind()));
  }

  static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }

  /** What the unit's status and event say: which objects, why nothing happens, what to do. */
  static String message(List<String> objects) {
    return String.join(", ", objects) + (objects.size() == 1 ? " exists" : " exist")
        + " without an owner reference to this unit: a unit never takes over an object it did not create, so nothing"
        + " was changed; delete or rename " + (objects.size() == 1 ? "it" : "them")
        + ", or give the unit another name";
  }
}
