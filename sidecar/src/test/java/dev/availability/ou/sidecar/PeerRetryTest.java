package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerRetryTest {
  static final long S = 1_000_000_000L;

  @Test
  void aNewStandbyIsRetriedEvery100msThenFailuresBackOffToASecond() {
    PeerRetry r = new PeerRetry();
    r.dialling("10.0.0.2:7480", 0);
    assertThat(r.delay(false, 1 * S)).isEqualTo(50);
    assertThat(r.delay(false, 2 * S)).isEqualTo(100);
    assertThat(r.delay(false, 3 * S)).as("still a new standby").isEqualTo(100);
    assertThat(r.delay(false, 11 * S)).isEqualTo(400);
    assertThat(r.delay(false, 12 * S)).isEqualTo(800);
    assertThat(r.delay(false, 13 * S)).isEqualTo(1000);
    assertThat(r.delay(true, 14 * S)).as("nothing listening: retried quickly").isEqualTo(100);
  }

  @Test
  void anotherEndpointOrAHeldSessionStartsOver() {
    PeerRetry r = new PeerRetry();
    r.dialling("a:1", 0);
    for (int i = 0; i < 5; i++) r.delay(false, 20 * S);
    r.dialling("a:1", 21 * S);
    assertThat(r.delay(false, 21 * S)).as("same endpoint").isEqualTo(1000);
    r.dialling("b:1", 22 * S);
    assertThat(r.delay(false, 22 * S)).isEqualTo(50);
    for (int i = 0; i < 5; i++) r.delay(false, 40 * S);
    r.connected();
    assertThat(r.delay(false, 41 * S)).isEqualTo(50);
  }
}
