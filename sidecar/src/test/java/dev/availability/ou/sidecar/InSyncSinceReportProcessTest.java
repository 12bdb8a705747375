package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby's report says since when it is in sync ({@code inSyncSinceMillis}): the operator counts a Synchronous
 * primary's unreadiness only from then (PrimaryHealthEvaluator), so the time must be the first in-sync report's and
 * stay put while the standby stays in sync, every later report notwithstanding. Real sidecar processes.
 */
class InSyncSinceReportProcessTest {
  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair;

  @Test
  void aStandbyReportsSinceWhenItIsInSyncAndKeepsThatTimeWhileItStaysInSync() throws Exception {
    pair = SidecarPair.in(root)
        .withBoth("OU_REPORT_INTERVAL", "100ms")
        .withBoth("OU_POSITION_REPORT_INTERVAL", "100ms")
        .startStandby();
    SidecarProcess standby = pair.standby;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastReport(standby).contains("role=Standby"));
    assertThat(lastReport(standby))
        .as("no primary yet: not in sync, so no since")
        .contains("inSync=false", "inSyncSinceMillis=null");

    long beforePrimary = System.currentTimeMillis();
    pair.startPrimary();
    await().atMost(Duration.ofSeconds(30)).until(() -> lastReport(standby).contains("inSync=true"));
    long since = field(lastReport(standby), "inSyncSinceMillis");
    long reportedAt = field(lastReport(standby), "reportedAtMillis");
    assertThat(since).as("the first in-sync report's time").isBetween(beforePrimary, reportedAt);

    try (OuClient c = pair.primary.client()) {
      for (int i = 0; i < 50; i++) c.put("k" + i, ("v" + i).getBytes());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> field(lastReport(standby), "reportedAtMillis") > reportedAt + 300);
    assertThat(lastReport(standby)).contains("inSync=true");
    assertThat(field(lastReport(standby), "inSyncSinceMillis"))
        .as("later reports, still in sync: the same since")
        .isEqualTo(since);
  }

  private static long field(String report, String name) {
    Matcher m = Pattern.compile(name + "=(\\d+)").matcher(report);
    assertThat(m.find()).as(name + " in " + report).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** The last report as the health endpoint's /status shows it (JSON; the report's record text). */
  private static String lastReport(SidecarProcess m) throws java.io.IOException {
    String status = m.http("/status");
    int at = status.indexOf("\"lastReport\"");
    int end = at < 0 ? -1 : status.indexOf("]\"", at); // the record's text ends its JSON string
    return end < 0 ? "" : status.substring(at, end + 1);
  }
}
