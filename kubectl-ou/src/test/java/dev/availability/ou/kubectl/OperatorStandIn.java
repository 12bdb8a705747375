package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Answers a unit's requests in status.requests as the operator does (one entry per kind, naming the annotation value it
 * answers), InProgress first (for {@link #WORKING}, longer than the plugin's poll), then what {@code decide} says. For the tests of the waiting paths while no operator runs;
 * the same tests against the real operator need only a different answerer.
 */
final class OperatorStandIn implements AutoCloseable {
  /** The final answer to a request of this kind and value: its state and message. */
  record Answer(RequestStatus.State state, String message) {}

  private static final Map<RequestStatus.Kind, String> ANNOTATIONS = Map.of(
      RequestStatus.Kind.Switchover,
      UnitAnnotations.SWITCHOVER_TO,
      RequestStatus.Kind.Fence,
      UnitAnnotations.FENCED_MEMBERS,
      RequestStatus.Kind.Pause,
      UnitAnnotations.PAUSED,
      RequestStatus.Kind.Drill,
      UnitAnnotations.DRILL);

  private final KubernetesClient client;
  private final String namespace;
  private final String unit;
  private final BiFunction<RequestStatus.Kind, String, Answer> decide;
  private final Thread thread;
  private final Map<RequestStatus.Kind, Long> inProgressSince =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean running = true;

  OperatorStandIn(
      KubernetesClient client,
      String namespace,
      String unit,
      BiFunction<RequestStatus.Kind, String, Answer> decide) {
    this.client = client;
    this.namespace = namespace;
    this.unit = unit;
    this.decide = decide;
    this.thread = Thread.ofPlatform().daemon().name("operator-stand-in").start(this::loop);
  }

  private void loop() {
    while (running) {
      try {
        step();
        Thread.sleep(150);
      } catch (InterruptedException e) {
        return;
      } catch (KubernetesClientException e) {
        // a conflict with the plugin's own write: read again
      }
    }
  }

  static final long WORKING = 1_500;

  /** At most one change per step: InProgress for a new value, its final answer once it has been InProgress for WORKING. */
  private void step() {
    OperationalUnit u = client
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .withName(unit)
        .get();
    if (u == null) return;
    Map<String, String> a =
        u.getMetadata().getAnnotations() == null ? Map.of() : u.getMetadata().getAnnotations();
    for (var e : ANNOTATIONS.entrySet()) {
      String value = a.get(e.getValue());
      if (value == null) continue;
      RequestStatus current = requests(u).stream()
          .filter(r -> r.getKind() == e.getKey())
          .findFirst()
          .orElse(null);
      if (current != null
          && Objects.equals(current.getValue(), value)
          && current.getState() != RequestStatus.State.InProgress) continue;
      RequestStatus next = new RequestStatus();
      next.setKind(e.getKey());
      next.setValue(value);
      next.setUpdatedAt(Instant.now().toString());
      if (current == null || !Objects.equals(current.getValue(), value)) {
        next.setState(RequestStatus.State.InProgress);
        next.setMessage("working on " + e.getKey() + " " + value);
        inProgressSince.put(e.getKey(), System.currentTimeMillis());
      } else if (System.currentTimeMillis() - inProgressSince.getOrDefault(e.getKey(), 0L)
          < WORKING) {
        continue;
      } else {
        Answer answer = decide.apply(e.getKey(), value);
        next.setState(answer.state());
        next.setMessage(answer.message());
      }
      List<RequestStatus> requests = new ArrayList<>(
          requests(u).stream().filter(r -> r.getKind() != e.getKey()).toList());
      requests.add(next);
      if (u.getStatus() == null) u.setStatus(new OperationalUnitStatus());
      u.getStatus().setRequests(requests);
      client.resources(OperationalUnit.class).inNamespace(namespace).resource(u).updateStatus();
      return;
    }
  }

  private static List<RequestStatus> requests(OperationalUnit u) {
    return u.getStatus() == null || u.getStatus().getRequests() == null
        ? List.of()
        : u.getStatus().getRequests();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
