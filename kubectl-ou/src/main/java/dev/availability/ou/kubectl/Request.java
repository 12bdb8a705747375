package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import java.util.Map;
import java.util.Objects;

/**
 * One request to the operator: the annotation to write, the value written, and the kind of answer it gets in
 * {@code status.requests}.
 *
 * @param what the request in words, for progress lines ("a switchover to kv-1")
 */
record Request(RequestStatus.Kind kind, String annotation, String value, String what) {

  /** Whether writing it changes the unit (the same value again is no new request: the operator acts once per value). */
  boolean changes(OperationalUnit unit) {
    Map<String, String> a = unit.getMetadata().getAnnotations();
    return !Objects.equals(a == null ? null : a.get(annotation), value);
  }

  String asAnnotation() {
    return annotation + "=" + value;
  }
}
