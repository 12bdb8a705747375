package dev.availability.ou.operator;

import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.ConditionView;
import java.util.List;

/**
 * The unit's {@code MalformedValues} condition: True while something the operator reads from the cluster for this
 * unit does not parse (an annotation on a member or the Lease, a time in the status). Such a value is read as absent,
 * which the operator repairs where it wrote it (the Lease, an assignment); the message says where it is.
 */
final class MalformedValuesCondition {

  private MalformedValuesCondition() {}

  static ConditionView of(List<String> malformed) {
    if (malformed.isEmpty())
      return new ConditionView(
          ConditionType.MalformedValues,
          false,
          ConditionReason.AllReadable,
          "every value read for this unit parses");
    return new ConditionView(
        ConditionType.MalformedValues,
        true,
        ConditionReason.MalformedValue,
        String.join("; ", malformed) + " (read as absent)");
  }
}
