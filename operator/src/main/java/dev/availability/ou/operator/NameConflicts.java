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
