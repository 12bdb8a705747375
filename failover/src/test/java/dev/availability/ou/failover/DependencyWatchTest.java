package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.DependencyWatch.Dependency;
import dev.availability.ou.failover.DependencyWatch.Observed;
import dev.availability.ou.failover.DependencyWatch.Reason;
import dev.availability.ou.failover.DependencyWatch.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyWatchTest {
  static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  static final Duration BUDGET = Duration.ofSeconds(5);
  static final Dependency DB = new Dependency("db", null);

  static Observed serving(Instant since, Instant renewal) {
    return new Observed("db", BUDGET, true, since, renewal);
  }

  static Observed down(Instant readyFalse, Instant renewal) {
    return new Observed("db", BUDGET, false, readyFalse, renewal);
  }

  static Verdict at(Observed o, Verdict before, Instant now) {
    return DependencyWatch.assess(DB, o, before, now);
  }

  @Test
  void aServingDependencyIsAvailable() {
    Verdict v = at(serving(T0, T0.plusSeconds(9)), null, T0.plusSeconds(10));
    assertThat(v.available()).isTrue();
    assertThat(v.reason()).isEqualTo(Reason.Serving);
    assertThat(v.since()).isEqualTo(T0);
    assertThat(DependencyWatch.condition(List.of(v)).status()).isTrue();
  }

  @Test
  void anOutageShorterThanTheDependencysRecoveryBudgetIsNotReported() {
    Verdict before = at(serving(T0.minusSeconds(60), T0.minusSeconds(20)), null, T0);
    Observed o = down(T0, T0.minusSeconds(20));
    Verdict v = at(o, before, T0.plusMillis(4_999));
    assertThat(v.available()).isTrue();
    assertThat(v.reason()).isEqualTo(Reason.Recovering);
    assertThat(DependencyWatch.recheckAfter(List.of(v), Map.of("db", o), T0.plusMillis(4_999)))
        .isEqualTo(Duration.ofMillis(1));
    assertThat(DependencyWatch.events(List.of(v), Map.of("db", before))).isEmpty();
  }

  @Test
  void anOutageIsDatedFromReadyFalseNotFromASparseRenewal() {
    // A primary its standby vouches for renews rarely: its last renewal, 20 s back, is no sign of
    // the outage.
    Verdict before = at(serving(T0.minusSeconds(60), T0.minusSeconds(20)), null, T0);
    Verdict v = at(down(T0, T0.minusSeconds(20)), before, T0.plusSeconds(5));
    assertThat(v.available()).isFalse();
    assertThat(v.reason()).isEqualTo(Reason.NoServingPrimary);
    assertThat(v.since()).isEqualTo(T0);
    ConditionView c = DependencyWatch.condition(List.of(v));
    assertThat(c.status()).isFalse();
    assertThat(c.hasReason(ConditionReason.DependencyUnavailable)).isTrue();
    assertThat(c.message()).contains("db").contains("no serving primary since " + T0);
    assertThat(DependencyWatch.events(List.of(v), Map.of("db", before)))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.reason()).isEqualTo(EventReason.DependencyUnavailable);
          assertThat(e.warning()).isTrue();
        });
  }

  @Test
  void aPrimaryStillRenewingIsNotDatedBeforeItsLastRenewal() {
    // Ready False long ago, but the lease was renewed 1 s ago: the outage counts from that renewal.
    Observed o = down(T0, T0.plusSeconds(59));
    Verdict v = at(o, null, T0.plusSeconds(60));
    assertThat(v.available()).isTrue();
    assertThat(v.reason()).isEqualTo(Reason.Recovering);
    assertThat(DependencyWatch.recheckAfter(List.of(v), Map.of("db", o), T0.plusSeconds(60)))
        .isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void aDependencyWhoseMembersFellSilentTogetherIsToldItsBudgetAfterTheyWereLastHeard() {
    // Its operator judged it 3 s after both nodes were last heard (T0) and dated its Ready=False
    // back to T0 (MembersSilence): nothing can be promoted, so no failover within the budget can be
    // reported by that date. Its primary lease was last renewed 15 s before (vouched, sparse).
    Verdict before = at(serving(T0.minusSeconds(60), T0.minusSeconds(15)), null, T0);
    Observed o = down(T0, T0.minusSeconds(15));
    Verdict judged = at(o, before, T0.plusSeconds(3));
    assertThat(judged.reason()).isEqualTo(Reason.Recovering);
    assertThat(DependencyWatch.recheckAfter(List.of(judged), Map.of("db", o), T0.plusSeconds(3)))
        .as("told at the last-heard moment plus the budget, not 5 s after the judgement")
        .isEqualTo(Duration.ofSeconds(2));
    Verdict told = at(o, judged, T0.plusSeconds(5));
    assertThat(told.available()).isFalse();
    assertThat(told.since()).isEqualTo(T0);
  }

  @Test
  void withoutAnyRenewalTheOutageCountsFromReadyFalse() {
    assertThat(at(down(T0, null), null, T0.plusMillis(4_900)).available()).isTrue();
    assertThat(at(down(T0, null), null, T0.plusSeconds(5)).available()).isFalse();
  }

  @Test
  void unavailableAfterOverridesTheDependencysBudget() {
    Dependency patient = new Dependency("db", Duration.ofSeconds(30));
    Observed o = down(T0, T0);
    assertThat(DependencyWatch.assess(patient, o, null, T0.plusSeconds(29)).available())
        .isTrue();
    Verdict v = DependencyWatch.assess(patient, o, null, T0.plusSeconds(30));
    assertThat(v.available()).isFalse();
    assertThat(v.unavailableAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anOutageKeepsItsDateAndRecoveryIsAnnouncedOnce() {
    Verdict up = at(serving(T0.minusSeconds(60), T0), null, T0);
    Verdict out = at(down(T0.plusSeconds(2), T0), up, T0.plusSeconds(7));
    Verdict still = at(down(T0.plusSeconds(2), T0), out, T0.plusSeconds(20));
    assertThat(still.since()).isEqualTo(out.since()).isEqualTo(T0.plusSeconds(2));
    assertThat(DependencyWatch.events(List.of(still), Map.of("db", out))).isEmpty();

    Verdict back = at(serving(T0.plusSeconds(21), T0.plusSeconds(21)), still, T0.plusSeconds(22));
    assertThat(back.available()).isTrue();
    assertThat(back.since()).isEqualTo(T0.plusSeconds(21));
    assertThat(DependencyWatch.events(List.of(back), Map.of("db", still)))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.reason()).isEqualTo(EventReason.DependencyAvailable);
          assertThat(e.warning()).isFalse();
        });
    Verdict again = at(serving(T0.plusSeconds(21), T0.plusSeconds(30)), back, T0.plusSeconds(31));
    assertThat(DependencyWatch.events(List.of(again), Map.of("db", back))).isEmpty();
  }

  @Test
  void aMissingDependencyIsReportedNotFoundNotACrash() {
    List<Verdict> vs = DependencyWatch.assess(
        List.of(DB, new Dependency("cache", null)),
        Map.of("db", serving(T0, T0)),
        Map.of(),
        T0.plusSeconds(1));
    assertThat(vs).extracting(Verdict::name).containsExactly("db", "cache");
    Verdict cache = vs.get(1);
    assertThat(cache.available()).isFalse();
    assertThat(cache.reason()).isEqualTo(Reason.NotFound);
    assertThat(DependencyWatch.unavailable(vs)).containsExactly("cache");
    assertThat(DependencyWatch.condition(vs).message())
        .contains("dependency cache not found")
        .doesNotContain("dependency db");
    Verdict later =
        DependencyWatch.assess(new Dependency("cache", null), null, cache, T0.plusSeconds(9));
    assertThat(later.since()).isEqualTo(cache.since());
  }

  @Test
  void noDependenciesMeansAvailable() {
    assertThat(DependencyWatch.condition(List.of()).status()).isTrue();
    assertThat(DependencyWatch.recheckAfter(List.of(), Map.of(), T0)).isNull();
  }
}
