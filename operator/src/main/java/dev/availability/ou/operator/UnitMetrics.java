package dev.availability.ou.operator;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics: failovers, switchovers and drills, the last one's duration and parts, time spent in each phase, units
 * by phase, quarantined stimuli, unavailable dependencies.
 */
@ApplicationScoped
public class UnitMetrics {
  private final MeterRegistry registry;
  private final Map<String, PhaseClock> phases = new ConcurrentHashMap<>();
  private final Map<UnitPhase, AtomicLong> unitsByPhase = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastFailoverMillis = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> quarantined = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> unavailableDependencies = new ConcurrentHashMap<>();

  private record PhaseClock(UnitPhase phase, Instant since) {}

  public UnitMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (UnitPhase p : UnitPhase.values()) {
      AtomicLong n = new AtomicLong();
      unitsByPhase.put(p, n);
      Gauge.builder("ou_units", n, AtomicLong::get)
          .description("Operational units by phase")
          .tag("phase", p.name())
          .register(registry);
    }
  }

  /** Called with every status the operator writes. */
  public void observe(OperationalUnit unit, UnitPhase phase, Instant now) {
    String key = unit.getMetadata().getNamespace() + "/" + unit.getMetadata().getName();
    PhaseClock before = phases.put(key, new PhaseClock(phase, now));
    if (before == null) {
      unitsByPhase.get(phase).incrementAndGet();
      return;
    }
    if (before.phase() != phase) {
      unitsByPhase.get(before.phase()).decrementAndGet();
      unitsByPhase.get(phase).incrementAndGet();
      Counter.builder("ou_phase_seconds_total")
          .description("Time units spent in each phase")
          .tags(tags(unit).and("phase", before.phase().name()))
          .register(registry)
          .increment(Duration.between(before.since(), now).toMillis() / 1000.0);
    } else {
      phases.put(key, before);
    }
  }

  /** A standby promoted: counted as a failover, a switchover or a drill, by reason. */
  public void promoted(OperationalUnit unit, FailoverRecord.Kind kind, String reason) {
    String name = switch (kind == null ? FailoverRecord.Kind.Failover : kind) {
      case Failover -> "ou_failovers_total";
      case Switchover -> "ou_switchovers_total";
      case Drill -> "ou_drills_total";
    };
    Counter.builder(name)
        .description("Promotions of a standby: "
            + (kind == null ? FailoverRecord.Kind.Failover : kind).name().toLowerCase() + "s")
        .tags(tags(unit).and("reason", reason == null ? "" : reason))
        .register(registry)
        .increment();
  }

  public void lastFailover(OperationalUnit unit, FailoverRecord r) {
    gauge(unit, "detection", r.getDetectionMillis());
    gauge(unit, "promotion", r.getPromotionMillis());
    gauge(unit, "traffic_switched", r.getTrafficSwitchedMillis());
  }

  private void gauge(OperationalUnit unit, String part, Long millis) {
    if (millis == null) return;
    String key =
        unit.getMetadata().getNamespace() + "/" + unit.getMetadata().getName() + "/" + part;
    lastFailoverMillis
        .computeIfAbsent(key, k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("ou_last_failover_seconds", v, x -> x.get() / 1000.0)
              .description("Duration of the last failover, by part")
              .tags(tags(unit).and("part", part))
              .register(registry);
          return v;
        })
        .set(millis);
  }

  /**
   * The quarantined stimuli of a status written, {@code before} and {@code after} (ids): the gauge of how many are
   * quarantined, and the counter of stimuli quarantined, by the ids new in {@code after}.
   */
  public void quarantine(OperationalUnit unit, List<String> before, List<String> after) {
    String key = unit.getMetadata().getNamespace() + "/" + unit.getMetadata().getName();
    quarantined
        .computeIfAbsent(key, k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("ou_quarantined_stimuli", v, AtomicLong::get)
              .description("Stimuli quarantined because two copies failed on them (Journal mode)")
              .tags(tags(unit))
              .register(registry);
          return v;
        })
        .set(after.size());
    long added = after.stream().filter(id -> !before.contains(id)).count();
    if (added > 0) {
      Counter.builder("ou_stimuli_quarantined_total")
          .description("Stimuli quarantined because two copies failed on them (Journal mode)")
          .tags(tags(unit))
          .register(registry)
          .increment(added);
    }
  }

  /** How many of the units {@code unit} depends on are unavailable, with every status written. */
  public void dependencies(OperationalUnit unit, int unavailable) {
    String key = unit.getMetadata().getNamespace() + "/" + unit.getMetadata().getName();
    unavailableDependencies
        .computeIfAbsent(key, k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("ou_dependencies_unavailable", v, AtomicLong::get)
              .description(
                  "Units this unit depends on that have no serving primary (spec.dependsOn)")
              .tags(tags(unit))
              .register(registry);
          return v;
        })
        .set(unavailable);
  }

  public void forget(OperationalUnit unit) {
    PhaseClock before = phases.remove(
        unit.getMetadata().getNamespace() + "/" + unit.getMetadata().getName());
    if (before != null) unitsByPhase.get(before.phase()).decrementAndGet();
  }

  private static Tags tags(OperationalUnit unit) {
    return Tags.of(
        "namespace",
        unit.getMetadata().getNamespace(),
        "unit",
        unit.getMetadata().getName());
  }
}
