package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import java.util.Map;

/**
 * The pool's rule for promotions: a shared standby serves at most one unit as primary. When a second unit's
 * primary fails while it serves one, that unit is reported (its standby is busy), not promoted here: the pod has one
 * application process, serving one unit.
 */
final class PoolPromotion {
  private PoolPromotion() {}

  /** Null when {@code unit} may take {@code role} given every unit's role now; else why not, in words. */
  static String refusal(String unit, Role role, Map<String, Role> roles) {
    if (role != Role.Primary) return null;
    for (Map.Entry<String, Role> e : roles.entrySet()) {
      if (!e.getKey().equals(unit) && e.getValue() == Role.Primary)
        return "this shared standby already serves unit " + e.getKey()
            + " as primary and serves one unit at a"
            + " time: " + unit
            + " is not promoted here (the pool's policy: a second failed primary is reported,"
            + " not promoted); make " + e.getKey() + " a standby or fenced first, or give " + unit
            + " a standby of its own";
    }
    return null;
  }
}
