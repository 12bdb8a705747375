package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.UnitAnnotations;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecOrRequestsChangedTest {
  private final SpecOrRequestsChanged filter = new SpecOrRequestsChanged();

  private static OperationalUnit unit(long generation, Map<String, String> annotations) {
    OperationalUnit u = new OperationalUnit();
    u.setMetadata(new ObjectMetaBuilder().withName("db").withGeneration(generation).withAnnotations(annotations).build());
    return u;
  }

  @Test
  void aRequestAnnotationChangeIsReconciledAtOnce() {
    assertThat(filter.accept(unit(1, Map.of(UnitAnnotations.PAUSED, "true")), unit(1, Map.of()))).isTrue();
    assertThat(filter.accept(unit(1, Map.of(UnitAnnotations.FENCED_MEMBERS, "db-1")), unit(1, Map.of(UnitAnnotations.FENCED_MEMBERS, "db-0")))).isTrue();
    assertThat(filter.accept(unit(2, Map.of()), unit(1, Map.of()))).as("a new spec").isTrue();
  }

  @Test
  void theOperatorsOwnStatusWritesAndForeignAnnotationsAreNot() {
    OperationalUnit before = unit(1, Map.of(UnitAnnotations.PAUSED, "true"));
    OperationalUnit after = unit(1, Map.of(UnitAnnotations.PAUSED, "true", "example.com/note", "x"));
    after.setStatus(new OperationalUnitStatus());
    assertThat(filter.accept(after, before)).isFalse();
  }
}
