package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import org.junit.jupiter.api.Test;

/** What the operator refuses in a unit's template before creating anything. */
class SpecChecksTest {
  @Test
  void theSampleHasNoProblem() throws Exception {
    assertThat(SpecChecks.problems(MemberPodBuilderTest.sample().getSpec())).isEmpty();
  }

  /** Issue 15 item 8: a named account would get the members' Lease and report rights without the member policy. */
  @Test
  void aTemplateThatNamesItsOwnServiceAccountIsRefused() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getSpec().getTemplate().getSpec().setServiceAccountName("shared-app");
    assertThat(SpecChecks.problems(unit.getSpec()))
        .singleElement()
        .asString()
        .contains("spec.template.spec.serviceAccountName is not allowed", "<unit>-member");
  }

  @Test
  void theMembersRunAsTheUnitsOwnAccountWhateverTheTemplateSaid() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getSpec().getTemplate().getSpec().setServiceAccountName("shared-app");
    var member = new dev.availability.ou.failover.Action.CreateMember(
        "kv-1",
        1,
        dev.availability.ou.failover.Member.Role.Standby,
        3,
        "kv-0",
        java.util.Set.of(),
        null);
    var pod = new MemberPodBuilder(MemberPodBuilderTest.sidecarSettings())
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false);
    assertThat(pod.getSpec().getServiceAccountName())
        .isEqualTo(unit.getMetadata().getName() + "-member");
  }

  /** Issue 15 item 12: the CRD bounds the digits; the operator bounds the values, so no size overflows downstream. */
  @Test
  void sizesBeyondWhatAMemberCanHoldAreRefusedInWords() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getSpec().getReplication().setStateMemory("64Gi");
    unit.getSpec().getReplication().setLogRetention("1024Gi");
    assertThat(SpecChecks.problems(unit.getSpec())).isEmpty();
    unit.getSpec().getReplication().setStateMemory("999999999Gi");
    unit.getSpec().getReplication().setLogRetention("1025Gi");
    assertThat(SpecChecks.problems(unit.getSpec()))
        .containsExactlyInAnyOrder(
            "spec.replication.stateMemory is 999999999Gi, more than the most it may be (64Gi): lower it",
            "spec.replication.logRetention is 1025Gi, more than the most it may be (1024Gi): lower it");
  }

  /** Issue 15 item 15: a plaintext stream lets a man in the middle forge acknowledgements: a Warning says so. */
  @Test
  void aPlaintextReplicationStreamIsWarnedAboutInWordsThatSayWhatAManInTheMiddleCanDo()
      throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    assertThat(SpecChecks.warnings(unit.getSpec())).isEmpty();
    unit.getSpec().getReplication().setEncryptStream(false);
    assertThat(SpecChecks.warnings(unit.getSpec()))
        .singleElement()
        .asString()
        .contains("encryptStream is false", "forge", "acknowledged without the standby");
    assertThat(SpecChecks.problems(unit.getSpec()))
        .as("a warning, not a refusal")
        .isEmpty();
  }
}
