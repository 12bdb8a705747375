package dev.availability.ou.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics per standby pool (docs/pools.md): units held, units in sync, bytes held, capacity, and
 * takeovers (a unit claiming one of the pool's pods).
 */
@ApplicationScoped
public class PoolMetrics {
  private final MeterRegistry registry;
  private final Map<String, PoolMeters> pools = new ConcurrentHashMap<>();

  /**
   * What the pool's reconciler read: {@code bytesHeld} the sum of the shared standby's per-unit reports'
   * {@code stateBytes} (null: no replica reports it); {@code claims} each pod a unit has taken over, as
   * {@code pod/unit}.
   */
  public record Reading(int units, int inSync, int capacity, Long bytesHeld, Set<String> claims) {
    public Reading {
      claims = Set.copyOf(claims);
    }
  }

  private final class PoolMeters {
    final Tags tags;
    final AtomicLong units = new AtomicLong();
    final AtomicLong inSync = new AtomicLong();
    final AtomicLong capacity = new AtomicLong();
    final AtomicLong bytesHeld = new AtomicLong();
    final List<Meter> meters = new ArrayList<>();
    volatile boolean bytesRegistered;
    volatile Set<String> claims;

    PoolMeters(Tags tags) {
      this.tags = tags;
      meters.add(gauge("ou_pool_units", "Units the pool's shared standby holds", units));
      meters.add(
          gauge("ou_pool_units_in_sync", "Units the pool's shared standby holds in sync", inSync));
      meters.add(gauge("ou_pool_capacity", "The pool's spec.maxUnits", capacity));
      meters.add(takeovers());
    }

    Gauge gauge(String name, String description, AtomicLong value) {
      return Gauge.builder(name, value, AtomicLong::get)
          .description(description)
          .tags(tags)
          .register(registry);
    }

    Counter takeovers() {
      return Counter.builder("ou_pool_takeovers_total")
          .description("Units that took over one of the pool's pods (their primary failed)")
          .tags(tags)
          .register(registry);
    }
  }

  public PoolMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Called with every reconcile of a pool. A claim not seen at the previous reading is a takeover; the first
   * reading after the operator started counts none (its claims may be old).
   */
  public void observe(String namespace, String pool, Reading r) {
    PoolMeters m = pools.computeIfAbsent(
        namespace + "/" + pool, k -> new PoolMeters(Tags.of("namespace", namespace, "pool", pool)));
    m.units.set(r.units());
    m.inSync.set(r.inSync());
    m.capacity.set(r.capacity());
    if (r.bytesHeld() != null) {
      m.bytesHeld.set(r.bytesHeld());
      if (!m.bytesRegistered) {
        m.bytesRegistered = true;
        m.meters.add(m.gauge(
            "ou_pool_bytes_held",
            "State bytes the pool's shared standby holds, summed over its units' reports",
            m.bytesHeld));
      }
    }
    Set<String> before = m.claims;
    if (before != null) {
      long added = r.claims().stream().filter(c -> !before.contains(c)).count();
      if (added > 0) m.takeovers().increment(added);
    }
    m.claims = r.claims();
  }

  /** The pool is deleted: its meters go with it. */
  public void forget(String namespace, String pool) {
    PoolMeters m = pools.remove(namespace + "/" + pool);
    if (m != null) m.meters.forEach(registry::remove);
  }
}
