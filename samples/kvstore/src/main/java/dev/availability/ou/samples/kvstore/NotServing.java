package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.RoleChange;

/** Why a member that is not the serving primary answers 503, in words. */
final class NotServing {
  private NotServing() {}

  static String because(RoleChange role) {
    return switch (role.role()) {
      case STANDBY ->
        "this member is the standby (epoch " + role.epoch()
            + "): it holds the primary's state but serves no requests; the unit's Service sends them to the primary";
      case FENCED ->
        "this member was the primary and has been fenced (epoch " + role.epoch()
            + "): a standby was promoted; the unit's Service sends requests to it";
      case PRIMARY ->
        "this member is the primary (epoch " + role.epoch()
            + ") but not serving: it could not renew its lease, so it stopped acknowledging writes";
      case UNASSIGNED -> "this member has no role yet: the operator has not assigned one";
    };
  }
}
