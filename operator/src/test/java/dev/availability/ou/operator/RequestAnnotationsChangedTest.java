package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.UnitAnnotations;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request annotation changes no generation, yet must wake the operator; its own status writes must not. */
class RequestAnnotationsChangedTest {
  private final RequestAnnotationsChanged filter = new RequestAnnotationsChanged();

  private static OperationalUnit unit(long generation, Map<String, String> annotations)
      throws Exception {
    OperationalUnit u = MemberPodBuilderTest.sample();
    u.getMetadata().setGeneration(generation);
    u.getMetadata().setAnnotations(new HashMap<>(annotations));
    return u;
  }

  @Test
  void aNewOrChangedRequestAnnotationWakesTheOperator() throws Exception {
    OperationalUnit before = unit(3, Map.of("unrelated", "x"));
    assertThat(filter.accept(
            unit(3, Map.of("unrelated", "x", UnitAnnotations.SWITCHOVER_TO, "kv-1")), before))
        .isTrue();
    assertThat(filter.accept(unit(3, Map.of("unrelated", "x", UnitAnnotations.DRILL, "1")), before))
        .isTrue();
    OperationalUnit asked = unit(3, Map.of(UnitAnnotations.SWITCHOVER_TO, "any@1"));
    assertThat(filter.accept(unit(3, Map.of(UnitAnnotations.SWITCHOVER_TO, "any@2")), asked))
        .as("a new token")
        .isTrue();
    assertThat(filter.accept(unit(3, Map.of()), asked)).as("removed").isTrue();
  }

  @Test
  void aNewGenerationOrADeletionWakesItAsBefore() throws Exception {
    assertThat(filter.accept(unit(4, Map.of()), unit(3, Map.of()))).isTrue();
    OperationalUnit deleting = unit(3, Map.of());
    deleting.getMetadata().setDeletionTimestamp("2026-12-05T11:20:00Z");
    assertThat(filter.accept(deleting, unit(3, Map.of()))).isTrue();
    OperationalUnit finalized = unit(3, Map.of());
    finalized
        .getMetadata()
        .setFinalizers(List.of("operationalunits.ou.availability.dev/finalizer"));
    assertThat(filter.accept(finalized, unit(3, Map.of()))).isTrue();
  }

  @Test
  void theOperatorsOwnStatusWritesAndOtherAnnotationsDoNot() throws Exception {
    OperationalUnit before = unit(3, Map.of(UnitAnnotations.SWITCHOVER_TO, "kv-1"));
    OperationalUnit statusWritten = Serialization.clone(before);
    statusWritten.setStatus(new OperationalUnitStatus());
    statusWritten.getStatus().setEpoch(7L);
    statusWritten.getMetadata().setResourceVersion("99");
    assertThat(filter.accept(statusWritten, before)).isFalse();
    assertThat(filter.accept(
            unit(
                3,
                Map.of(
                    UnitAnnotations.SWITCHOVER_TO,
                    "kv-1",
                    "kubectl.kubernetes.io/last-applied-configuration",
                    "{}")),
            before))
        .isFalse();
  }
}
