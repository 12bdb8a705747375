package dev.availability.ou.kubectl;

import dev.availability.ou.api.RequestStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code kubectl ou status} for people: a header line, then one compact section per aspect, empty sections said in a line. */
final class StatusText {
  static final int HISTORY = 5;

  private StatusText() {}

  static void print(StatusView v, Instant now, PrintWriter out) {
    out.printf(
        "Unit %s in %s: %s, epoch %s, %s, %s failover%s%n",
        v.unit(),
        v.namespace(),
        or(v.phase(), "no status yet (is the operator running?)"),
        or(v.epoch(), "-"),
        or(v.mode(), "-"),
        or(v.failovers(), 0),
        v.failovers() != null && v.failovers() == 1 ? "" : "s");
    List<String> asked = new ArrayList<>();
    if (v.operations().paused())
      asked.add(
          "PAUSED (the operator observes but acts on nothing; kubectl ou resume " + v.unit() + ")");
    if (!v.operations().fencedMembers().isEmpty())
      asked.add("fenced: " + String.join(", ", v.operations().fencedMembers()));
    if (v.operations().switchoverTo() != null)
      asked.add("switchover-to " + v.operations().switchoverTo());
    if (v.operations().drill() != null) asked.add("drill " + v.operations().drill());
    if (!asked.isEmpty()) out.println("Asked: " + String.join("; ", asked));

    out.println();
    Table members = new Table(
        "MEMBER",
        "NODE",
        "ROLE",
        "EPOCH",
        "DURABLE SEQ",
        "LAG",
        "IN SYNC",
        "PEER HEARTBEAT",
        "REPORTED",
        "READY",
        "NOTE");
    for (StatusView.Member m : v.members()) {
      members.row(
          m.pod(),
          m.node(),
          role(m),
          m.epoch(),
          m.durableSequence(),
          m.lag(),
          m.inSync(),
          heartbeat(m),
          m.reportAgeMillis() == null ? "-" : Ages.of(m.reportAgeMillis()) + " ago",
          m.ready(),
          note(m));
    }
    if (members.isEmpty()) out.println("No member pods.");
    else members.print(out);

    out.println();
    StatusView.LeaseView l = v.lease();
    if (l == null)
      out.println(
          "Lease: none yet (the primary's sidecar creates and renews " + v.unit() + "-primary)");
    else
      out.printf(
          "Lease %s: held by %s at epoch %s, renewed %s ago, duration %s%s%n",
          l.name(),
          or(l.holder(), "nobody"),
          or(l.epoch(), "-"),
          Ages.of(l.renewedAgeMillis()),
          Ages.of(l.durationMillis()),
          vouched(v, l));

    out.println();
    Table conditions = new Table("CONDITION", "STATUS", "REASON", "SINCE", "MESSAGE");
    v.conditions()
        .forEach(c ->
            conditions.row(c.type(), c.status(), c.reason(), Ages.of(c.ageMillis()), c.message()));
    if (conditions.isEmpty()) out.println("No conditions yet.");
    else conditions.print(out);

    if (!v.requests().isEmpty()) {
      out.println();
      Table requests = new Table("REQUEST", "VALUE", "STATE", "SINCE", "MESSAGE");
      for (RequestStatus r : v.requests()) {
        requests.row(
            r.getKind(),
            r.getValue(),
            r.getState(),
            Ages.of(StatusView.age(r.getUpdatedAt(), now)),
            r.getMessage());
      }
      requests.print(out);
    }

    out.println();
    out.println("History (newest first; kubectl ou history " + v.unit() + " for all):");
    HistoryText.print(v.history(), HISTORY, now, out);

    out.println();
    Table events = new Table("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
    v.events()
        .forEach(e -> events.row(
            Ages.of(e.ageMillis()),
            e.type(),
            e.reason() + (e.count() != null && e.count() > 1 ? " (x" + e.count() + ")" : ""),
            e.object(),
            e.message()));
    if (events.isEmpty()) out.println("No recent events.");
    else events.print(out);
  }

  private static String role(StatusView.Member m) {
    if (m.role() == null) return m.assignedRole() == null ? "-" : m.assignedRole() + "?";
    if (m.assignedRole() != null && !m.assignedRole().equals(m.role()))
      return m.role() + "->" + m.assignedRole();
    return m.role();
  }

  private static String heartbeat(StatusView.Member m) {
    String age = Ages.of(m.peerHeartbeatAgeMillis());
    return Boolean.TRUE.equals(m.peerLost()) ? age + " (LOST)" : age;
  }

  private static String note(StatusView.Member m) {
    List<String> notes = new ArrayList<>();
    if (m.fenced()) notes.add("fenced");
    if (Boolean.FALSE.equals(m.appHealthy())) notes.add("app unhealthy");
    if (m.podPhase() != null && !"Running".equals(m.podPhase())) notes.add(m.podPhase());
    if (m.problem() != null) notes.add(m.problem());
    return notes.isEmpty() ? "" : String.join("; ", notes);
  }

  private static Object or(Object value, Object otherwise) {
    return value == null ? otherwise : value;
  }

  /** Why an older renewal is no alarm: a Synchronous or Journal primary its in-sync standby confirms renews rarely. */
  private static String vouched(StatusView v, StatusView.LeaseView l) {
    boolean stale = l.renewedAgeMillis() != null
        && l.durationMillis() != null
        && l.renewedAgeMillis() > l.durationMillis();
    if (!stale || "Asynchronous".equals(v.mode())) return "";
    return " (while its in-sync standby confirms it, the primary renews only every ten lease durations: the standby's report is its liveness)";
  }
}
