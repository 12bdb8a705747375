package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolPromotionTest {
  private static Map<String, Role> roles(Object... unitAndRole) {
    Map<String, Role> m = new LinkedHashMap<>();
    for (int i = 0; i < unitAndRole.length; i += 2)
      m.put((String) unitAndRole[i], (Role) unitAndRole[i + 1]);
    return m;
  }

  @Test
  void theFirstUnitPromotedInAPoolOfStandbysIsAccepted() {
    assertThat(PoolPromotion.refusal(
            "u2", Role.Primary, roles("u1", Role.Standby, "u2", Role.Standby, "u3", Role.Standby)))
        .isNull();
  }

  @Test
  void aSecondUnitAsPrimaryIsRefusedNamingTheOneServed() {
    assertThat(PoolPromotion.refusal(
            "u3", Role.Primary, roles("u1", Role.Standby, "u2", Role.Primary, "u3", Role.Standby)))
        .contains("already serves unit u2", "u3 is not promoted here", "reported, not promoted");
  }

  @Test
  void theServedUnitMayBeReassignedAndOthersMayChangeAsStandbys() {
    Map<String, Role> r = roles("u1", Role.Standby, "u2", Role.Primary);
    assertThat(PoolPromotion.refusal("u2", Role.Primary, r))
        .as("a new epoch for the unit served")
        .isNull();
    assertThat(PoolPromotion.refusal("u1", Role.Standby, r)).isNull();
    assertThat(PoolPromotion.refusal("u1", Role.Fenced, r)).isNull();
  }

  @Test
  void aFencedFormerPrimaryDoesNotBlockAPromotion() {
    assertThat(
            PoolPromotion.refusal("u1", Role.Primary, roles("u1", Role.Standby, "u2", Role.Fenced)))
        .isNull();
  }
}
