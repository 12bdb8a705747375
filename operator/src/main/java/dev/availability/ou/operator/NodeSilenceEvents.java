package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.failover.Thresholds;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Reconciles the units with a member on a node whose lease has just gone stale (no renewal seen for
 * {@link Thresholds#nodeLeaseStaleAfter}), or been renewed again after that. A renewal is no event (the node-lease
 * informer maps none to a unit), and a missed one cannot be: without this a node falling silent would be looked at
 * only at the next resync (30 s) or at the node controller's NotReady (40 s by default). The core judges what the
 * silence means (one node: a weak signal; the primary's and its standby's: failed, see the failover core's
 * {@code MembersSilence}). Sampled every {@value #SAMPLE_MILLIS} ms; one event per node and change, never one per
 * renewal.
 */
final class NodeSilenceEvents extends AbstractEventSource<Void, OperationalUnit> {
  static final long SAMPLE_MILLIS = 100;
  private static final Logger LOG = Logger.getLogger(NodeSilenceEvents.class);

  private final InformerEventSource<Lease, OperationalUnit> nodeLeases;
  private final LeaseRenewalsSeen renewals;
  private final Function<String, Set<ResourceID>> unitsOn;
  private final Clock clock;
  private Set<String> silent = Set.of();
  private ScheduledExecutorService sampler;

  /**
   * @param unitsOn the units with a pod on a node, by the node's name
   */
  NodeSilenceEvents(
      InformerEventSource<Lease, OperationalUnit> nodeLeases,
      LeaseRenewalsSeen renewals,
      Function<String, Set<ResourceID>> unitsOn,
      Clock clock) {
    super(Void.class, "node-silence");
    this.nodeLeases = nodeLeases;
    this.renewals = renewals;
    this.unitsOn = unitsOn;
    this.clock = clock;
  }

  @Override
  public synchronized void start() {
    super.start();
    sampler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("ou-node-silence").factory());
    sampler.scheduleWithFixedDelay(
        this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (sampler != null) sampler.shutdownNow();
    super.stop();
  }

  @Override
  public Set<Void> getSecondaryResources(OperationalUnit primary) {
    return Set.of();
  }

  private void sample() {
    try {
      Instant now = clock.instant();
      Map<String, Instant> staleAt = new HashMap<>();
      nodeLeases.list().forEach(lease -> {
        Instant at = staleAt(lease, renewals.seenAt(lease, now));
        if (at != null) staleAt.put(lease.getMetadata().getName(), at);
      });
      Set<String> silentNow = silent(staleAt, now);
      for (String node : changed(silent, silentNow)) {
        for (ResourceID unit : unitsOn.apply(node)) getEventHandler().handleEvent(new Event(unit));
      }
      silent = silentNow;
    } catch (RuntimeException e) {
      LOG.debugf("node silence not sampled: %s", e.getMessage()); // looked at again next sample
    }
  }

  /** When the lease, its last renewal seen at {@code seenAt}, turns stale; null when it cannot say. */
  static Instant staleAt(Lease lease, Instant seenAt) {
    if (seenAt == null || lease.getSpec() == null) return null;
    Integer seconds = lease.getSpec().getLeaseDurationSeconds();
    if (seconds == null || seconds <= 0) return null;
    return seenAt.plus(Thresholds.nodeLeaseStaleAfter(Duration.ofSeconds(seconds)));
  }

  /** The nodes silent at {@code now}: past the moment their lease turns stale (the core's rule: strictly after). */
  static Set<String> silent(Map<String, Instant> staleAt, Instant now) {
    Set<String> out = new HashSet<>();
    staleAt.forEach((node, at) -> {
      if (now.isAfter(at)) out.add(node);
    });
    return out;
  }

  /** The nodes that fell silent or were heard again between two samples. */
  static Set<String> changed(Set<String> before, Set<String> now) {
    Set<String> out = new HashSet<>(now);
    out.removeAll(before);
    for (String node : before) if (!now.contains(node)) out.add(node);
    return out;
  }
}
