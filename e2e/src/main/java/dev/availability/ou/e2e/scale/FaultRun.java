package dev.availability.ou.e2e.scale;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.testsupport.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Faults a unit's primary (its member double freezes: no lease renewal, no report, as a hung sidecar or a node cut
 * off) and times fault → endpoints: T0 the freeze, T1 the EndpointSlice watch seeing only the new primary.
 */
final class FaultRun {
  static final long SWITCH_CAP_MS = 90_000;
  private final ScaleMembers members;
  private final UnitWatch units;
  private final EndpointWatch endpoints;

  /** One fault's outcome: fault → endpoints, and what the unit's status says of it afterwards. */
  record Sample(
      String unit,
      String former,
      long switchMillis,
      Long statusTrafficSwitchedMillis,
      Long statusDetectionMillis) {}

  FaultRun(ScaleMembers members, UnitWatch units, EndpointWatch endpoints) {
    this.members = members;
    this.units = units;
    this.endpoints = endpoints;
  }

  /** Freezes the primary of {@code unit}; the future completes with T1 − T0 in ms. */
  CompletableFuture<Long> fault(String unit) {
    String primary = units
        .get(unit)
        .map(UnitWatch::primary)
        .orElseThrow(() -> new IllegalStateException("unit " + unit + " has no primary to fault"));
    long t0 = System.nanoTime();
    CompletableFuture<Long> switched = endpoints.expectSwitch(unit, primary, t0);
    members.freeze(primary);
    return switched;
  }

  /** Waits for each fault's switch (up to the cap); -1 for one that did not switch. */
  List<Sample> collect(
      List<String> faulted, List<String> formers, List<CompletableFuture<Long>> switches)
      throws InterruptedException {
    List<Sample> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SWITCH_CAP_MS);
    for (int i = 0; i < faulted.size(); i++) {
      long ms;
      try {
        ms = switches.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        String unit = faulted.get(i);
        Progress.log("unit " + unit + ": the Service did not switch within " + SWITCH_CAP_MS / 1000
            + " s of the fault (phase " + phaseOf(unit) + ", primary "
            + units.get(unit).map(UnitWatch::primary).orElse(null) + ", ready endpoints "
            + endpoints.readyPods(unit) + ")");
        ms = -1;
      } catch (java.util.concurrent.ExecutionException e) {
        ms = -1;
      }
      out.add(sample(faulted.get(i), formers.get(i), ms));
    }
    return out;
  }

  /** Faults {@code unit} {@code times} times, one after another, waiting until it is Protected again in between. */
  List<Sample> series(String unit, int times, long protectTimeoutMs) throws InterruptedException {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      if (!awaitProtected(unit, protectTimeoutMs)) {
        Progress.log("unit " + unit + " not Protected again within " + protectTimeoutMs / 1000
            + " s (phase " + phaseOf(unit) + "): stopping its series at " + i + " faults");
        break;
      }
      Thread.sleep(1000); // a settled unit: its lease renewed since it became Protected
      String former = units.get(unit).map(UnitWatch::primary).orElse(null);
      List<Sample> one =
          collect(List.of(unit), java.util.Arrays.asList(former), List.of(fault(unit)));
      out.addAll(one);
      Progress.log("single unit, fault " + (i + 1) + "/" + times + ": fault → endpoints "
          + one.get(0).switchMillis() + " ms");
    }
    return out;
  }

  boolean awaitProtected(String unit, long timeoutMs) throws InterruptedException {
    long until = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < until) {
      if (units.get(unit).filter(u -> UnitWatch.isProtected(u, members)).isPresent()) return true;
      Thread.sleep(200);
    }
    return false;
  }

  private UnitPhase phaseOf(String unit) {
    return units.get(unit).map(UnitWatch::phase).orElse(null);
  }

  private Sample sample(String unit, String former, long ms) {
    return new Sample(unit, former, ms, null, null);
  }

  /** The samples with the unit's own account of each failover (its history entry for that former primary), read now. */
  List<Sample> withStatus(List<Sample> samples) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      Optional<OperationalUnit> u = units.get(s.unit());
      var record = u
          .map(x -> x.getStatus() == null ? null : x.getStatus().getHistory())
          .orElse(List.of())
          .stream()
          .filter(r -> s.former() != null && s.former().equals(r.getFormerPrimary()))
          .findFirst();
      out.add(new Sample(
          s.unit(),
          s.former(),
          s.switchMillis(),
          record.map(r -> r.getTrafficSwitchedMillis()).orElse(null),
          record.map(r -> r.getDetectionMillis()).orElse(null)));
    }
    return out;
  }
}
