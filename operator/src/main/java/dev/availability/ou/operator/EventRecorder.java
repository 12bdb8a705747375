package dev.availability.ou.operator;

import dev.availability.ou.failover.EventReason;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events on units, off the failover path (a background thread), and folds repeats of
 * the same reason and message into one Event with a count, as kubectl expects; a repeat soon after the last write is
 * counted and written later ({@link EventFolding}).
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private final KubernetesClient client;
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ou-events");
    t.setDaemon(true);
    return t;
  });

  /** An Event as last written, and the repeats counted since (touched on the writer thread only). */
  private static final class Folded {
    Event event;
    Instant written;
    int pending;
    Instant lastSeen;
    boolean flushScheduled;

    Folded(Event event, Instant written) {
      this.event = event;
      this.written = written;
    }
  }

  private final Map<String, Folded> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Folded> eldest) {
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
      Folded f = recent.get(key);
      switch (EventFolding.of(f == null ? null : f.written, now)) {
        case HOLD -> {
          f.pending++;
          f.lastSeen = now;
          if (!f.flushScheduled) {
            f.flushScheduled = true;
            writer.schedule(
                () -> flush(key, namespace),
                EventFolding.flushIn(f.written, now).toMillis(),
                TimeUnit.MILLISECONDS);
          }
        }
        case UPDATE_NOW -> {
          f.pending++;
          f.lastSeen = now;
          flush(key, namespace);
        }
        case CREATE -> recent.put(key, new Folded(create(unit, reason, message, type, now), now));
      }
    } catch (Exception e) {
      failed(e, reason, namespace, unit.getMetadata().getName());
    }
  }

  /** Writes the repeats counted for {@code key}: the count and the last time, one merge patch. */
  private void flush(String key, String namespace) {
    Folded f = recent.get(key);
    if (f == null || f.pending == 0) return;
    int count = (f.event.getCount() == null ? 1 : f.event.getCount()) + f.pending;
    try {
      f.event = client
          .v1()
          .events()
          .inNamespace(namespace)
          .withName(f.event.getMetadata().getName())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"count\":" + count + ",\"lastTimestamp\":\"" + Times.format(f.lastSeen) + "\"}");
      f.written = Instant.now();
    } catch (Exception e) {
      failed(e, f.event.getReason(), namespace, f.event.getInvolvedObject().getName());
    } finally {
      f.pending = 0;
      f.flushScheduled = false;
    }
  }

  private Event create(HasMetadata unit, String reason, String message, String type, Instant now) {
    String namespace = unit.getMetadata().getNamespace();
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
    return client.v1().events().inNamespace(namespace).resource(event).create();
  }

  private static void failed(Exception e, String reason, String namespace, String unit) {
    if (NamespaceTerminating.causedBy(e)) {
      LOG.debugf("event %s not recorded: namespace %s is terminating", reason, namespace);
      return;
    }
    LOG.warnf("could not record event %s on %s/%s: %s", reason, namespace, unit, e.getMessage());
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
