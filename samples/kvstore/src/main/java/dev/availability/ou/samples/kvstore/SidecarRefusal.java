package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.FencedException;
import dev.availability.ou.client.InvalidRequestException;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.NotPrimaryException;
import dev.availability.ou.client.OuException;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.SidecarUnavailableException;
import dev.availability.ou.client.StandbyUnavailableException;

/** What the store answers when its sidecar refused a request or did not answer, in words a client can act on. Pure. */
final class SidecarRefusal {
  private SidecarRefusal() {}

  /** An HTTP status and its text. */
  record Answer(int status, String text) {}

  /** The answer to {@code e}; {@code now}: the member's role as its sidecar last told it (may be null). */
  static Answer of(OuException e, RoleChange now) {
    return switch (e) {
      case NotPrimaryException n -> refused(n, now);
      case FencedException f -> refused(f, now);
      case StandbyUnavailableException s ->
        new Answer(
            503,
            "not acknowledged: the standby did not confirm the write in time (" + s.getMessage()
                + "); it may or may not be applied, retry it");
      case SidecarUnavailableException s ->
        new Answer(
            503,
            "the sidecar did not answer (" + s.getMessage()
                + "); the outcome is unknown, retry it");
      case InvalidRequestException i -> new Answer(400, "refused: " + i.getMessage());
      default -> new Answer(500, "sidecar error: " + e.getMessage());
    };
  }

  /** Still the primary: its sidecar did not take the write (its lease lapsed); else it was deposed. */
  private static Answer refused(OuException e, RoleChange now) {
    return new Answer(
        503,
        now != null && now.role() == MemberRole.PRIMARY
            ? "the primary did not take the write: " + e.getMessage()
            : "not the primary any more: " + e.getMessage()
                + "; the unit's Service sends requests to the primary");
  }
}
