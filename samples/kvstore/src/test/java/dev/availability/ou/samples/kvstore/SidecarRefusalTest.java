package dev.availability.ou.samples.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.FencedException;
import dev.availability.ou.client.InvalidRequestException;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.StandbyUnavailableException;
import org.junit.jupiter.api.Test;

/** The store's answers to its sidecar's refusals: a client can tell a lapsed primary from a deposed one. */
class SidecarRefusalTest {
  @Test
  void aPrimaryWhoseSidecarRefusedTheWriteSaysSoRatherThanCallingItselfDeposed() {
    RoleChange lapsed = new RoleChange(MemberRole.PRIMARY, 3, false, "lease not renewed in time");
    SidecarRefusal.Answer a =
        SidecarRefusal.of(new FencedException("primary lease not renewed in time"), lapsed);
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.text())
        .isEqualTo("the primary did not take the write: primary lease not renewed in time");
  }

  @Test
  void aDeposedMemberPointsTheClientAtTheService() {
    RoleChange fenced = new RoleChange(MemberRole.FENCED, 4, false, "deposed");
    assertThat(
            SidecarRefusal.of(new FencedException("epoch 3 is fenced"), fenced).text())
        .startsWith("not the primary any more: epoch 3 is fenced")
        .contains("the unit's Service sends requests to the primary");
  }

  @Test
  void aBadRequestIs400AndAnUnconfirmedWriteSaysItMayBeApplied() {
    assertThat(SidecarRefusal.of(new InvalidRequestException("key too long"), null))
        .isEqualTo(new SidecarRefusal.Answer(400, "refused: key too long"));
    assertThat(SidecarRefusal.of(new StandbyUnavailableException("timed out"), null)
            .text())
        .contains("it may or may not be applied, retry it");
  }
}
