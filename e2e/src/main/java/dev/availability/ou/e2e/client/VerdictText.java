package dev.availability.ou.e2e.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A {@link ClientVerdict} as a table for people and as one JSON object for the record. */
public final class VerdictText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private VerdictText() {}

  public static String table(ClientVerdict v) {
    StringBuilder b = new StringBuilder();
    row(b, "window", String.format(Locale.ROOT, "%.1f s", v.windowNanos() / 1e9));
    row(b, "writes tried", Long.toString(v.attempts()));
    row(
        b,
        "acknowledged",
        v.acknowledged() + String.format(Locale.ROOT, "  (%.0f/s)", v.ackRate()));
    row(
        b,
        "failed",
        v.failed()
            + (v.failuresByKind().isEmpty() ? "" : "  (" + counts(v.failuresByKind()) + ")"));
    row(
        b,
        "acknowledged writes lost",
        v.lost() + "  (missing " + v.missing() + ", another value " + v.mismatched() + ")");
    row(
        b,
        "client-visible outage",
        v.outageMillis() + " ms"
            + String.format(
                Locale.ROOT,
                "  (longest time without an acknowledgement, from %.3f s into the run)",
                v.outageFromNanos() / 1e9));
    row(b, "split brain", Long.toString(v.splitBrain()));
    row(b, "acks by epoch", v.acksByEpoch().isEmpty() ? "-" : counts(v.acksByEpoch()));
    row(b, "acks by member", v.acksByMember().isEmpty() ? "-" : counts(v.acksByMember()));
    if (v.unidentifiedAcks() > 0)
      row(b, "acks naming no member/epoch", Long.toString(v.unidentifiedAcks()));
    for (String s : v.lostExamples()) row(b, "lost", s);
    for (String s : v.splitBrainExamples()) row(b, "split brain", s);
    return b.toString();
  }

  /** One line: {@code {"acknowledged":N,"lost":N,"outage_ms":N,"failed":N,"split_brain":N,…}}; {@code extra} goes first. */
  public static String json(ClientVerdict v, Map<String, ?> extra) {
    Map<String, Object> m = new LinkedHashMap<>(extra);
    m.put("acknowledged", v.acknowledged());
    m.put("lost", v.lost());
    m.put("outage_ms", v.outageMillis());
    m.put("failed", v.failed());
    m.put("split_brain", v.splitBrain());
    m.put("attempts", v.attempts());
    m.put("missing", v.missing());
    m.put("mismatched", v.mismatched());
    m.put("unidentified_acks", v.unidentifiedAcks());
    m.put("window_ms", Math.round(v.windowNanos() / 1e6));
    m.put("acks_per_s", Math.round(v.ackRate() * 10) / 10.0);
    m.put(
        "acks_by_epoch",
        v.acksByEpoch().entrySet().stream()
            .collect(Collectors.toMap(
                e -> Long.toString(e.getKey()),
                Map.Entry::getValue,
                (a, b) -> a,
                LinkedHashMap::new)));
    m.put("acks_by_member", v.acksByMember());
    m.put("failures", v.failuresByKind());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value));
  }

  private static String counts(Map<?, Long> m) {
    return m.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
