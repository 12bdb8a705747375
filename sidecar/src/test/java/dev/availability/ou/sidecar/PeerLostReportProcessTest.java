package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby's report says it lost its primary as soon as it knows, not at the next periodic report: that report is
 * one of the two signals that fail a primary whose node died, so its delay is the failover's. Real sidecar processes;
 * the periodic report is set to a minute, far beyond the wait below.
 */
class PeerLostReportProcessTest {
  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair;

  @Test
  void theStandbyReportsItsLostPrimaryAtOnceNotAtTheNextPeriodicReport() throws Exception {
    pair = SidecarPair.in(root)
        .withBoth("OU_REPORT_INTERVAL", "60s")
        .withBoth("OU_HEARTBEAT_INTERVAL", "100ms")
        .withBoth("OU_PEER_LOST_AFTER", "400ms")
        .startInSync();
    SidecarProcess standby = pair.standby;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastReport(standby).contains("peerLost=false"));

    pair.primary.kill();

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> lastReport(standby).contains("peerLost=true"));
    assertThat(lastReport(standby)).contains("role=Standby");
  }

  /** The last report as the health endpoint's /status shows it (JSON; the report's record text). */
  private static String lastReport(SidecarProcess m) throws java.io.IOException {
    String status = m.http("/status");
    int at = status.indexOf("\"lastReport\"");
    return at < 0 ? "" : status.substring(at, status.indexOf("]", at) + 1);
  }
}
