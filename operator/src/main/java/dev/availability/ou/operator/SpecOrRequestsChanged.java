package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitAnnotations;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which updates of a unit call for a reconciliation: a new spec (generation), its deletion or finalizers, and a change
 * of the requests its annotations carry ({@link UnitAnnotations}: a fence, a pause, a switchover, a drill take effect
 * at once, not at the next resync). The operator's own status writes are not among them.
 */
public class SpecOrRequestsChanged implements OnUpdateFilter<OperationalUnit> {
  @Override
  public boolean accept(OperationalUnit now, OperationalUnit before) {
    var n = now.getMetadata();
    var b = before.getMetadata();
    return !Objects.equals(n.getGeneration(), b.getGeneration())
        || n.getDeletionTimestamp() != null
        || !Objects.equals(n.getFinalizers(), b.getFinalizers())
        || !requests(n.getAnnotations()).equals(requests(b.getAnnotations()));
  }

  private static Map<String, String> requests(Map<String, String> annotations) {
    Map<String, String> r = new TreeMap<>();
    if (annotations != null) annotations.forEach((k, v) -> {
      if (k.startsWith(UnitAnnotations.PREFIX)) r.put(k, v);
    });
    return r;
  }
}
