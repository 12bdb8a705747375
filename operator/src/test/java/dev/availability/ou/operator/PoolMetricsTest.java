package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class PoolMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PoolMetrics metrics = new PoolMetrics(registry);

  private double gauge(String name, String pool) {
    return registry.get(name).tag("namespace", "ns").tag("pool", pool).gauge().value();
  }

  private double takeovers(String pool) {
    return registry
        .get("ou_pool_takeovers_total")
        .tag("namespace", "ns")
        .tag("pool", pool)
        .counter()
        .count();
  }

  @Test
  void reportsUnitsHeldInSyncCapacityAndBytesPerPool() {
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 2, 8, 4096L, Set.of()));
    metrics.observe("ns", "other", new PoolMetrics.Reading(1, 0, 4, null, Set.of()));
    assertThat(gauge("ou_pool_units", "kv")).isEqualTo(3.0);
    assertThat(gauge("ou_pool_units_in_sync", "kv")).isEqualTo(2.0);
    assertThat(gauge("ou_pool_capacity", "kv")).isEqualTo(8.0);
    assertThat(gauge("ou_pool_bytes_held", "kv")).isEqualTo(4096.0);
    assertThat(gauge("ou_pool_units", "other")).isEqualTo(1.0);
    Assertions.assertThatThrownBy(() -> gauge("ou_pool_bytes_held", "other"))
        .as("bytes no replica reports are not shown as 0")
        .isInstanceOf(MeterNotFoundException.class);
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 3, 8, 8192L, Set.of()));
    assertThat(gauge("ou_pool_units_in_sync", "kv")).isEqualTo(3.0);
    assertThat(gauge("ou_pool_bytes_held", "kv")).isEqualTo(8192.0);
  }

  @Test
  void countsEachNewClaimOnceAndNoClaimAlreadyThereWhenTheOperatorStarted() {
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 3, 8, null, Set.of("kv-standby-0/a")));
    assertThat(takeovers("kv"))
        .as("a claim seen at the first reading may be old")
        .isZero();
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 3, 8, null, Set.of("kv-standby-0/a")));
    metrics.observe(
        "ns",
        "kv",
        new PoolMetrics.Reading(3, 2, 8, null, Set.of("kv-standby-0/a", "kv-standby-1/b")));
    metrics.observe(
        "ns",
        "kv",
        new PoolMetrics.Reading(3, 2, 8, null, Set.of("kv-standby-0/a", "kv-standby-1/b")));
    assertThat(takeovers("kv")).isEqualTo(1.0);
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 3, 8, null, Set.of()));
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 2, 8, null, Set.of("kv-standby-2/c")));
    assertThat(takeovers("kv")).isEqualTo(2.0);
  }

  @Test
  void aDeletedPoolsMetersGo() {
    metrics.observe("ns", "kv", new PoolMetrics.Reading(3, 3, 8, 1L, Set.of()));
    metrics.forget("ns", "kv");
    assertThat(registry.find("ou_pool_units").gauges()).isEmpty();
    assertThat(registry.find("ou_pool_bytes_held").gauges()).isEmpty();
    assertThat(registry.find("ou_pool_takeovers_total").counters()).isEmpty();
  }
}
