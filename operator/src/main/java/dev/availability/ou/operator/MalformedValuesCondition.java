package dev.availability.ou.operator;

import dev.availability.ou.failover.ConditionView;
import java.util.List;

/**
 * The unit's {@code MalformedValues} condition: True while something the operator reads from the cluster for this
 * unit does not parse (an annotation on a member or the Lease, a time in the status). Such a value is read as absent,
 * which the operator repairs where it wrote it (the Lease, an assignment); the message says where it is.
 */
final class MalformedValuesCondition {
  static final String TYPE = "MalformedValues";
  static final String MALFORMED = "MalformedValue";

  private MalformedValuesCondition() {}

  static ConditionView of(List<String> malformed) {
    if (malformed.isEmpty()) return new ConditionView(TYPE, false, "AllReadable", "every value read for this unit parses");
    return new ConditionView(TYPE, true, MALFORMED, String.join("; ", malformed) + " (read as absent)");
  }
}
