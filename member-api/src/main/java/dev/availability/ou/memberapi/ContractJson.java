package dev.availability.ou.memberapi;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.util.Map;

/**
 * The JSON of the contract's records, as they travel in the {@code assignment} and {@code report} annotations:
 * fields in declaration order, nulls left out, unknown fields ignored, scalars coerced as Jackson's data binding
 * did ({@link Json}; JsonCompatibilityTest holds the two together). The records themselves ({@code contract/})
 * know no JSON, so the contract has no dependencies; everyone who reads or writes an annotation comes here.
 */
public final class ContractJson {
  private static final String ASSIGNMENT = "Assignment";
  private static final String REPORT = "MemberReport";

  private ContractJson() {}

  /** Reads an assignment; malformed JSON throws an IllegalArgumentException starting "malformed Assignment JSON: ". */
  public static Assignment assignment(String json) {
    Map<String, Object> m = Json.record(json, ASSIGNMENT);
    return new Assignment(
        Json.enumValue(m, "role", Role.class, ASSIGNMENT),
        Json.primitiveLong(m, "epoch", ASSIGNMENT),
        Json.string(m, "peer", ASSIGNMENT),
        Json.string(m, "mode", ASSIGNMENT),
        timing(m),
        Json.stringList(m, "quarantined", ASSIGNMENT),
        Json.stringList(m, "unavailableDependencies", ASSIGNMENT),
        Json.string(m, "nextPeer", ASSIGNMENT));
  }

  /** The timings when the assignment carries all four (one written before they travelled carries none). */
  private static Assignment.Timing timing(Map<String, Object> m) {
    Long heartbeat = Json.longValue(m, "heartbeatMillis", ASSIGNMENT);
    Long peerLost = Json.longValue(m, "peerLostAfterMillis", ASSIGNMENT);
    Long lease = Json.longValue(m, "leaseDurationMillis", ASSIGNMENT);
    Long margin = Json.longValue(m, "leaseSafetyMarginMillis", ASSIGNMENT);
    if (heartbeat == null || peerLost == null || lease == null || margin == null) return null;
    return new Assignment.Timing(heartbeat, peerLost, lease, margin);
  }

  public static String toJson(Assignment a) {
    Assignment.Timing t = a.timing();
    return Json.write(Json.fields(
        "role",
        a.role(),
        "epoch",
        a.epoch(),
        "peer",
        a.peer(),
        "mode",
        a.mode(),
        "heartbeatMillis",
        t == null ? null : t.heartbeatMillis(),
        "peerLostAfterMillis",
        t == null ? null : t.peerLostAfterMillis(),
        "leaseDurationMillis",
        t == null ? null : t.leaseDurationMillis(),
        "leaseSafetyMarginMillis",
        t == null ? null : t.leaseSafetyMarginMillis(),
        "quarantined",
        a.quarantined(),
        "unavailableDependencies",
        a.unavailableDependencies(),
        "nextPeer",
        a.nextPeer()));
  }

  /** Reads a report; malformed JSON throws an IllegalArgumentException starting "malformed MemberReport JSON: ". */
  public static MemberReport report(String json) {
    String t = REPORT;
    Map<String, Object> m = Json.record(json, t);
    return new MemberReport(
        Json.enumValue(m, "role", Role.class, t),
        Json.primitiveLong(m, "epoch", t),
        Json.primitiveLong(m, "lastDurableSeq", t),
        Json.longValue(m, "lag", t),
        Json.bool(m, "inSync", t),
        Json.bool(m, "peerLost", t),
        Json.longValue(m, "peerHeartbeatAgeMillis", t),
        Json.bool(m, "appHealthy", t),
        Json.string(m, "replicationEndpoint", t),
        Json.primitiveLong(m, "reportedAtMillis", t),
        Json.longValue(m, "stateBytes", t),
        Json.longValue(m, "heapMaxBytes", t),
        Json.bool(m, "heapTooSmall", t),
        Json.stringList(m, "reprocessing", t),
        Json.stringList(m, "reprocessingNow", t),
        Json.longValue(m, "inSyncSinceMillis", t));
  }

  public static String toJson(MemberReport r) {
    return Json.write(Json.fields(
        "role",
        r.role(),
        "epoch",
        r.epoch(),
        "lastDurableSeq",
        r.lastDurableSeq(),
        "lag",
        r.lag(),
        "inSync",
        r.inSync(),
        "peerLost",
        r.peerLost(),
        "peerHeartbeatAgeMillis",
        r.peerHeartbeatAgeMillis(),
        "appHealthy",
        r.appHealthy(),
        "replicationEndpoint",
        r.replicationEndpoint(),
        "reportedAtMillis",
        r.reportedAtMillis(),
        "stateBytes",
        r.stateBytes(),
        "heapMaxBytes",
        r.heapMaxBytes(),
        "heapTooSmall",
        r.heapTooSmall(),
        "reprocessing",
        r.reprocessing(),
        "reprocessingNow",
        r.reprocessingNow(),
        "inSyncSinceMillis",
        r.inSyncSinceMillis()));
  }
}
