package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import java.util.Objects;
import java.util.Optional;

/** The operator's answer to a request: the entry of {@code status.requests} of its kind whose value is the one written. */
final class RequestAnswers {
  private RequestAnswers() {}

  static Optional<RequestStatus> find(OperationalUnit unit, Request request) {
    if (unit.getStatus() == null || unit.getStatus().getRequests() == null) return Optional.empty();
    return unit.getStatus().getRequests().stream()
        .filter(r -> r.getKind() == request.kind() && sameValue(r.getValue(), request.value()))
        .findFirst();
  }

  /** An empty value (the last member unfenced) is answered as empty or absent. */
  private static boolean sameValue(String answered, String written) {
    if (answered == null || answered.isEmpty()) return written == null || written.isEmpty();
    return Objects.equals(answered, written);
  }

  static boolean finished(RequestStatus answer) {
    return answer.getState() == RequestStatus.State.Done
        || answer.getState() == RequestStatus.State.Refused;
  }
}
