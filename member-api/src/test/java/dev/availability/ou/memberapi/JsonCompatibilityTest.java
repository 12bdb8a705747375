package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ContractJson} and {@link Json} (jackson-core only) against Jackson data binding, which the contract's records
 * were written and read with before (then annotated {@code @JsonInclude(NON_NULL)}, here the mapper's default): the same
 * JSON out, the same records in, so operator and sidecar versions interoperate.
 */
class JsonCompatibilityTest {
  static final ObjectMapper DATABIND = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  static final List<Assignment> ASSIGNMENTS = List.of(
      new Assignment(Role.Primary, 7, "web-1", "Synchronous"),
      new Assignment(Role.Standby, 0, null, null),
      new Assignment(Role.Fenced, Long.MAX_VALUE, "p\"e\\er \u00e9\u2603", "Journal"),
      new Assignment(null, -1, null, "Asynchronous"),
      new Assignment(
          Role.Primary,
          4,
          "kv-2",
          "Journal",
          null, // (the timings travel flat, not as data binding would nest them)
          List.of("order-17", "req \"é\"")),
      new Assignment(
          Role.Standby, 5, "kv-1", "Synchronous", null, List.of(), List.of("db", "cache")),
      new Assignment(
          Role.Primary, 6, "pool-b", "Synchronous", null, List.of(), List.of(), "pool-c"));

  static final List<MemberReport> REPORTS = List.of(
      MemberReport.builder()
          .role(Role.Primary)
          .epoch(3)
          .lastDurableSeq(42)
          .lag(0L)
          .peerLost(false)
          .peerHeartbeatAgeMillis(5L)
          .appHealthy(true)
          .replicationEndpoint("10.0.0.1:7480")
          .reportedAtMillis(1_700_000_000_000L)
          .build(),
      MemberReport.builder()
          .role(Role.Standby)
          .epoch(3)
          .lastDurableSeq(41)
          .lag(1L)
          .inSync(true)
          .peerLost(true)
          .peerHeartbeatAgeMillis(2500L)
          .appHealthy(false)
          .replicationEndpoint("[fd00::1]:7480")
          .reportedAtMillis(1L)
          .build(),
      MemberReport.builder().epoch(0).lastDurableSeq(0).reportedAtMillis(0).build(),
      MemberReport.builder()
          .role(Role.Standby)
          .epoch(3)
          .lastDurableSeq(41)
          .lag(1L)
          .inSync(true)
          .peerLost(false)
          .peerHeartbeatAgeMillis(20L)
          .appHealthy(true)
          .replicationEndpoint("10.0.0.2:7480")
          .reportedAtMillis(2L)
          .stateBytes(31_457_280L)
          .heapMaxBytes(66_060_288L)
          .heapTooSmall(true)
          .build(),
      MemberReport.builder()
          .role(Role.Primary)
          .epoch(4)
          .lastDurableSeq(90)
          .peerLost(false)
          .peerHeartbeatAgeMillis(3L)
          .appHealthy(true)
          .replicationEndpoint("10.0.0.3:7480")
          .reportedAtMillis(3L)
          .stateBytes(1024L)
          .heapMaxBytes(66_060_288L)
          .heapTooSmall(false)
          .reprocessing(List.of("order-17", "job-9"))
          .reprocessingNow(List.of("job-9"))
          .build());

  @Test
  void recordsWriteWhatDataBindingWrote() throws Exception {
    for (Assignment a : ASSIGNMENTS)
      assertThat(ContractJson.toJson(a)).isEqualTo(DATABIND.writeValueAsString(a));
    for (MemberReport r : REPORTS)
      assertThat(ContractJson.toJson(r)).isEqualTo(DATABIND.writeValueAsString(r));
  }

  @Test
  void recordsReadWhatDataBindingReads() throws Exception {
    for (Assignment a : ASSIGNMENTS) {
      assertThat(ContractJson.assignment(DATABIND.writeValueAsString(a))).isEqualTo(a);
      assertThat(DATABIND.readValue(ContractJson.toJson(a), Assignment.class)).isEqualTo(a);
    }
    for (MemberReport r : REPORTS) {
      assertThat(ContractJson.report(DATABIND.writeValueAsString(r))).isEqualTo(r);
      assertThat(DATABIND.readValue(ContractJson.toJson(r), MemberReport.class)).isEqualTo(r);
    }
    List<String> lenient = List.of(
        "{\"role\":\"Primary\",\"epoch\":\"5\",\"peer\":\"b\",\"mode\":\"Journal\",\"future\":{\"x\":[1,2]}}",
        "{\"epoch\":5.0,\"peer\":null}",
        "{\"role\":1,\"epoch\":2,\"peer\":7}",
        "{}",
        "{\"role\":\"Standby\"}  trailing");
    for (String json : lenient)
      assertThat(ContractJson.assignment(json))
          .as(json)
          .isEqualTo(DATABIND.readValue(json, Assignment.class));
    String report =
        "{\"role\":\"Standby\",\"epoch\":2,\"lag\":\"3\",\"inSync\":\"true\",\"peerLost\":0,\"appHealthy\":true,\"unknown\":1}";
    assertThat(ContractJson.report(report))
        .isEqualTo(DATABIND.readValue(report, MemberReport.class));
  }

  @Test
  void malformedRecordsAreRefusedWithTheirType() {
    for (String json : List.of(
        "", "[1]", "{\"role\":\"Leader\"}", "{\"epoch\":{}}", "{\"epoch\":\"x\"}", "{\"role\":")) {
      assertThatThrownBy(() -> DATABIND.readValue(json, Assignment.class))
          .as("databind " + json)
          .isInstanceOf(Exception.class);
      assertThatThrownBy(() -> ContractJson.assignment(json))
          .as(json)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed Assignment JSON: ");
    }
    assertThatThrownBy(() -> ContractJson.report("{\"inSync\":\"maybe\"}"))
        .hasMessageStartingWith("malformed MemberReport JSON: ");
  }

  @Test
  void aTreeIsWrittenBackAsItWasRead() throws Exception {
    String lease =
        "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"web-primary\","
            + "\"namespace\":\"shop\",\"uid\":\"0c6f\",\"resourceVersion\":\"812\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\","
            + "\"annotations\":{\"ou.availability.dev/epoch\":\"3\",\"ou.availability.dev/lease-duration-ms\":\"3000\"},"
            + "\"ownerReferences\":[{\"apiVersion\":\"availability.dev/v1\",\"kind\":\"OperationalUnit\",\"name\":\"web\",\"uid\":\"9a\","
            + "\"controller\":true,\"blockOwnerDeletion\":true}],\"managedFields\":[{\"manager\":\"op\",\"fieldsV1\":{\"f:spec\":{}}}]},"
            + "\"spec\":{\"holderIdentity\":\"web-0\",\"leaseDurationSeconds\":10,\"leaseTransitions\":0,"
            + "\"renewTime\":\"2026-01-01T00:00:01.123456Z\",\"ratio\":0.25,\"big\":123456789012345678901234567890,\"none\":null}}";
    assertThat(Json.write(Json.parse(lease))).isEqualTo(lease);
    assertThat(DATABIND.readTree(Json.write(Json.copy(Json.parse(lease)))))
        .isEqualTo(DATABIND.readTree(lease));
  }
}
