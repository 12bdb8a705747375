package dev.availability.ou.client;

/** The role the local sidecar acts in. */
public enum MemberRole {
  /** Serves reads and writes; its writes are replicated to the standby. */
  PRIMARY,
  /** Holds the primary's state; refuses writes until promoted. */
  STANDBY,
  /** Removed from service (deposed or its lease lapsed); refuses writes. */
  FENCED,
  /** No role assigned yet. */
  UNASSIGNED;

  static MemberRole of(int code) {
    return switch (code) {
      case LocalProtocol.ROLE_PRIMARY -> PRIMARY;
      case LocalProtocol.ROLE_STANDBY -> STANDBY;
      case LocalProtocol.ROLE_FENCED -> FENCED;
      default -> UNASSIGNED;
    };
  }

  int code() {
    return switch (this) {
      case PRIMARY -> LocalProtocol.ROLE_PRIMARY;
      case STANDBY -> LocalProtocol.ROLE_STANDBY;
      case FENCED -> LocalProtocol.ROLE_FENCED;
      case UNASSIGNED -> LocalProtocol.ROLE_UNASSIGNED;
    };
  }
}
