package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a decision would do, in words, for a unit that is paused ({@link Pause}): the failover it would start and
 * the actions it would perform. Built from the decision's state and actions only, never from its event messages
 * (which carry times that change at every look), so the same held work reads the same and its events fold.
 */
final class WouldDo {
  private WouldDo() {}

  static List<String> describe(UnitState before, Decision d) {
    List<String> out = new ArrayList<>();
    Intent i = d.state().intent();
    if (i != null && before.intent() == null) {
      out.add((i.planned()
              ? "switch over"
              : i.kind() == PromotionKind.Drill ? "drill a failover" : "fail over")
          + " from " + i.former() + " to " + i.target() + " at epoch " + i.epoch() + " ("
          + i.reason() + ")");
    } else if (i != null
        && !Objects.equals(i.serviceSwitchedAt(), before.intent().serviceSwitchedAt())) {
      out.add("complete the promotion of " + i.target());
    } else if (i == null && before.intent() != null) {
      out.add("end the " + FailoverUnderWay.what(before.intent()) + " to "
          + before.intent().target());
    }
    for (Action a : d.actions()) {
      String words = switch (a) {
        case CreateMember c -> "create " + c.role().name().toLowerCase() + " " + c.pod();
        case DeleteMember del -> (del.force() ? "force-delete " : "delete ") + del.pod();
        case Assign as -> "assign " + as.pod() + " " + as.role() + " at epoch " + as.epoch();
        case HoldLease h -> "give the primary lease to " + h.holder() + " at epoch " + h.epoch();
        case Action.VouchLease v -> "renew the lease of " + v.holder() + " on its standby's word";
        case PointService p ->
          ServiceView.NOBODY.equals(p.pod())
              ? "point the Service at no pod"
              : "point the Service at " + p.pod();
        case Emit e -> null;
      };
      if (words != null && !out.contains(words)) out.add(words);
    }
    return out;
  }
}
