package dev.availability.ou.operator;

import dev.availability.ou.api.DependencySpec;
import dev.availability.ou.api.Durations;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.DependencyCycles;
import dev.availability.ou.failover.DependencyWatch;
import dev.availability.ou.failover.DependencyWatch.Dependency;
import dev.availability.ou.failover.DependencyWatch.Observed;
import dev.availability.ou.failover.DependencyWatch.Verdict;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The units a unit depends on ({@code spec.dependsOn}), as the operator sees them: a second informer of the units,
 * whose events re-reconcile the units that depend on the one that changed (its readiness, its spec, its coming or
 * going), and the readings {@link DependencyWatch} decides on. Lease renewals come from the reconciler's lease cache.
 */
final class UnitDependencies {
  private final InformerEventSource<OperationalUnit, OperationalUnit> units;

  private UnitDependencies(InformerEventSource<OperationalUnit, OperationalUnit> units) {
    this.units = units;
  }

  static UnitDependencies create(EventSourceContext<OperationalUnit> context) {
    var holder = new InformerEventSource[1];
    var units = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(OperationalUnit.class, OperationalUnit.class)
            .withName("dependency-units")
            .withSecondaryToPrimaryMapper(u -> {
              @SuppressWarnings("unchecked")
              var self = (InformerEventSource<OperationalUnit, OperationalUnit>) holder[0];
              return dependents(self, u);
            })
            .withOnUpdateFilter((now, before) -> !Objects.equals(
                    now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                || !Objects.equals(ready(now), ready(before)))
            .build(),
        context);
    holder[0] = units;
    return new UnitDependencies(units);
  }

  InformerEventSource<OperationalUnit, OperationalUnit> eventSource() {
    return units;
  }

  /** The units of {@code changed}'s namespace that name it in their dependsOn (and it, when it names itself). */
  private static Set<ResourceID> dependents(
      InformerEventSource<OperationalUnit, OperationalUnit> units, OperationalUnit changed) {
    String ns = changed.getMetadata().getNamespace();
    String name = changed.getMetadata().getName();
    return units
        .list(ns, u -> names(u).contains(name))
        .map(u -> new ResourceID(u.getMetadata().getName(), ns))
        .collect(Collectors.toSet());
  }

  /** The cycle {@code unit}'s dependsOn closes through the units of its namespace, if any. */
  Optional<List<String>> cycle(OperationalUnit unit) {
    if (names(unit).isEmpty()) return Optional.empty();
    Map<String, List<String>> graph = new HashMap<>();
    units
        .list(unit.getMetadata().getNamespace())
        .forEach(u -> graph.put(u.getMetadata().getName(), names(u)));
    graph.put(
        unit.getMetadata().getName(), names(unit)); // the spec being reconciled, not the cache's
    return DependencyCycles.through(unit.getMetadata().getName(), graph);
  }

  /**
   * What the dependencies look like now: each found dependency's budget, readiness and last lease renewal seen.
   *
   * @param leases the reconciler's cache of the units' primary leases
   */
  Map<String, Observed> observe(
      OperationalUnit unit,
      InformerEventSource<Lease, OperationalUnit> leases,
      LeaseRenewalsSeen renewals,
      Instant now) {
    String ns = unit.getMetadata().getNamespace();
    Map<String, Observed> out = new HashMap<>();
    for (String name : names(unit)) {
      Optional<OperationalUnit> dep = units.get(new ResourceID(name, ns));
      if (dep.isEmpty() || dep.get().getSpec() == null) continue;
      Lease lease =
          leases.get(new ResourceID(ContractKeys.primaryLeaseName(name), ns)).orElse(null);
      Optional<io.fabric8.kubernetes.api.model.Condition> ready =
          StatusMapper.condition(dep.get().getStatus(), ConditionType.Ready);
      out.put(
          name,
          new Observed(
              name,
              dep.get().getSpec().getFailover().effectiveRecoveryBudget(),
              ready.map(c -> "True".equals(c.getStatus())).orElse(false),
              ready.map(c -> Times.parse(c.getLastTransitionTime())).orElse(null),
              renewals.seenAt(lease, now)));
    }
    return out;
  }

  /** The spec's dependsOn in the core's terms. */
  static List<Dependency> dependsOn(OperationalUnit unit) {
    List<DependencySpec> deps = unit.getSpec().getDependsOn();
    if (deps == null) return List.of();
    return deps.stream()
        .map(d -> new Dependency(
            d.getName(),
            d.getUnavailableAfter() == null ? null : Durations.parse(d.getUnavailableAfter())))
        .toList();
  }

  /** The verdicts on {@code unit}'s dependencies now, dates kept from the ones its status shows. */
  List<Verdict> assess(OperationalUnit unit, Map<String, Observed> observed, Instant now) {
    return DependencyWatch.assess(
        dependsOn(unit), observed, DependencyStatuses.previous(unit.getStatus()), now);
  }

  private static List<String> names(OperationalUnit u) {
    if (u.getSpec() == null || u.getSpec().getDependsOn() == null) return List.of();
    return u.getSpec().getDependsOn().stream()
        .map(DependencySpec::getName)
        .filter(Objects::nonNull)
        .toList();
  }

  private static String ready(OperationalUnit u) {
    return StatusMapper.condition(u.getStatus(), ConditionType.Ready)
        .map(io.fabric8.kubernetes.api.model.Condition::getStatus)
        .orElse(null);
  }

  static Duration min(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) <= 0 ? a : b;
  }
}
