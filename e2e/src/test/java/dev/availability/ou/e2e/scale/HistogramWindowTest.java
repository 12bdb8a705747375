package dev.availability.ou.e2e.scale;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistogramWindowTest {
  private static final String NAME = "ou_reconcile_queue_wait_seconds";

  private static PromText scrape(double le1ms, double le10ms, double le100ms, double inf) {
    return PromText.parse("# HELP x\n# TYPE " + NAME + " histogram\n"
        + NAME + "_bucket{name=\"a\",le=\"0.001\",} " + le1ms + "\n"
        + NAME + "_bucket{name=\"a\",le=\"0.01\",} " + le10ms + "\n"
        + NAME + "_bucket{name=\"a\",le=\"0.1\",} " + le100ms + "\n"
        + NAME + "_bucket{name=\"a\",le=\"+Inf\",} " + inf + "\n"
        + NAME + "_count{name=\"a\",} " + inf + "\n");
  }

  @Test
  void percentilesCountOnlyWhatFellInTheWindow() {
    PromText before = scrape(100, 100, 100, 100); // 100 fast ones before the window
    PromText after = scrape(100, 150, 199, 200); // in it: 50 under 10 ms, 49 under 100 ms, 1 longer
    assertThat(HistogramWindow.count(before, after, NAME)).isEqualTo(100);
    assertThat(HistogramWindow.percentileMillis(before, after, NAME, 50)).isEqualTo(10.0);
    assertThat(HistogramWindow.percentileMillis(before, after, NAME, 99)).isEqualTo(100.0);
    assertThat(HistogramWindow.percentileMillis(before, after, NAME, 100)).isInfinite();
  }

  @Test
  void noObservationsInTheWindowHasNoPercentile() {
    PromText s = scrape(1, 2, 3, 4);
    assertThat(HistogramWindow.percentileMillis(s, s, NAME, 99)).isEqualTo(-1);
  }

  @Test
  void sumsFilterOnLabels() {
    PromText t = PromText.parse(
        "apiserver_flowcontrol_dispatched_requests_total{flow_schema=\"ou-scale-members-update\",priority_level=\"exempt\"} 42\n"
            + "apiserver_flowcontrol_dispatched_requests_total{flow_schema=\"exempt\",priority_level=\"exempt\"} 7\n");
    assertThat(t.sum(
            "apiserver_flowcontrol_dispatched_requests_total",
            s -> s.label("flow_schema").startsWith("ou-scale-")))
        .isEqualTo(42);
  }
}
