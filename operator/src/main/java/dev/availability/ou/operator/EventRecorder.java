package dev.availability.ou.operator;

import dev.availability.ou.failover.EventReason;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events on units, off the failover path (a background thread), and folds repeats of
 * the same reason and message into one Event with a count, as kubectl expects.
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final Duration FOLD_WINDOW = Duration.ofMinutes(10);
  private final KubernetesClient client;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ou-events");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Event> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
      return size() > 4096;
    }
  };

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** As {@link #record(HasMetadata, Enum, String, boolean)}, a unit's reasons. */
  public void record(HasMetadata unit, EventReason reason, String message, boolean warning) {
    record(unit, (Enum<?>) reason, message, warning);
  }

  /** Records on any object the operator reconciles (a unit, a pool: {@link PoolEventReason}). */
  public void record(HasMetadata unit, Enum<?> reason, String message, boolean warning) {
    Instant now = Instant.now();
    LOG.infof(
        "%s/%s %s: %s",
        unit.getMetadata().getNamespace(), unit.getMetadata().getName(), reason, message);
    writer.execute(() -> write(unit, reason.name(), message, warning ? "Warning" : "Normal", now));
  }

  private void write(HasMetadata unit, String reason, String message, String type, Instant now) {
    String key = unit.getMetadata().getUid() + "/" + reason + "/" + message;
    String namespace = unit.getMetadata().getNamespace();
    try {
      Event existing;
      synchronized (recent) {
        existing = recent.get(key);
      }
      if (existing != null
          && Duration.between(Times.parse(existing.getLastTimestamp()), now).compareTo(FOLD_WINDOW)
              < 0) {
        int count = existing.getCount() == null ? 1 : existing.getCount();
        Event updated = client
            .v1()
            .events()
            .inNamespace(namespace)
            .withName(existing.getMetadata().getName())
            .edit(e -> new EventBuilder(e)
                .withCount(count + 1)
                .withLastTimestamp(Times.format(now))
                .build());
        synchronized (recent) {
          recent.put(key, updated);
        }
        return;
      }
      Event event = new EventBuilder()
          .withNewMetadata()
          .withGenerateName(unit.getMetadata().getName() + ".")
          .withNamespace(namespace)
          .endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(unit.getApiVersion())
          .withKind(unit.getKind())
          .withName(unit.getMetadata().getName())
          .withNamespace(namespace)
          .withUid(unit.getMetadata().getUid())
          .endInvolvedObject()
          .withReason(reason)
          .withMessage(message)
          .withType(type)
          .withCount(1)
          .withFirstTimestamp(Times.format(now))
          .withLastTimestamp(Times.format(now))
          .withNewSource()
          .withComponent("ou-operator")
          .endSource()
          .withReportingComponent("ou.availability.dev/ou-operator")
          .withReportingInstance(hostname())
          .build();
      Event created =
          client.v1().events().inNamespace(namespace).resource(event).create();
      synchronized (recent) {
        recent.put(key, created);
      }
    } catch (Exception e) {
      if (NamespaceTerminating.causedBy(e)) {
        LOG.debugf("event %s not recorded: namespace %s is terminating", reason, namespace);
        return;
      }
      LOG.warnf(
          "could not record event %s on %s/%s: %s",
          reason, namespace, unit.getMetadata().getName(), e.getMessage());
    }
  }

  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    return h == null ? "ou-operator" : h;
  }

  @PreDestroy
  void stop() {
    writer.shutdown();
  }
}
