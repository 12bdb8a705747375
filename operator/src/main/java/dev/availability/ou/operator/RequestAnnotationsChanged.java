package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitAnnotations;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which updates of a unit call for a reconciliation: what a generation-aware controller lets through (a new
 * generation, a deletion, a finalizer added) and a change of the request annotations ({@link UnitAnnotations}), which
 * change no generation. The operator's own status writes still do not (they would wake it for nothing).
 */
public class RequestAnnotationsChanged implements OnUpdateFilter<OperationalUnit> {

  @Override
  public boolean accept(OperationalUnit now, OperationalUnit before) {
    Long generation = now.getMetadata().getGeneration();
    return generation == null
        || before.getMetadata().getGeneration() == null
        || generation > before.getMetadata().getGeneration()
        || now.isMarkedForDeletion()
        || !Objects.equals(
            now.getMetadata().getFinalizers(), before.getMetadata().getFinalizers())
        || !requests(now).equals(requests(before));
  }

  private static Map<String, String> requests(OperationalUnit u) {
    Map<String, String> a = new TreeMap<>();
    if (u.getMetadata().getAnnotations() == null) return a;
    u.getMetadata().getAnnotations().forEach((k, v) -> {
      if (k.startsWith(UnitAnnotations.PREFIX)) a.put(k, v);
    });
    return a;
  }
}
