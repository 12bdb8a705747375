package dev.availability.ou.failover;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the unit's status remembers between reconciliations (and across operator restarts).
 *
 * @param intent a failover or switchover under way, or null
 * @param history the last failovers, switchovers and drills, newest first (at most {@link #HISTORY})
 * @param homeNode the node the primary was first placed on, for failback
 * @param answers the answer to the last request value of each kind
 * @param quarantine the stimuli both copies failed on, set aside until a human releases or drops them
 *     ({@link PoisonQuarantine})
 */
public record UnitState(
    String primary,
    String standby,
    long epoch,
    int failovers,
    int switchovers,
    long nextOrdinal,
    Intent intent,
    List<FailoverTimings> history,
    String homeNode,
    Integer primaryRestartBaseline,
    Map<Requests.Kind, RequestAnswer> answers,
    List<QuarantinedStimulus> quarantine) {

  /** How many entries {@link #history} keeps. */
  public static final int HISTORY = 10;

  public UnitState {
    history = history == null
        ? List.of()
        : List.copyOf(history.subList(0, Math.min(HISTORY, history.size())));
    answers = answers == null || answers.isEmpty() ? Map.of() : Map.copyOf(answers);
    quarantine = quarantine == null ? List.of() : List.copyOf(quarantine);
  }

  /** A state with no quarantined stimulus (tests, and statuses written before quarantine existed). */
  public UnitState(
      String primary,
      String standby,
      long epoch,
      int failovers,
      int switchovers,
      long nextOrdinal,
      Intent intent,
      List<FailoverTimings> history,
      String homeNode,
      Integer primaryRestartBaseline,
      Map<Requests.Kind, RequestAnswer> answers) {
    this(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        List.of());
  }

  public static UnitState initial() {
    return new UnitState(null, null, 0, 0, 0, 0, null, List.of(), null, null, Map.of());
  }

  /** The newest entry of the history (what the status shows as lastFailover), or null. */
  public FailoverTimings lastFailover() {
    return history.isEmpty() ? null : history.get(0);
  }

  /** The answer to the last value of a kind of request, or null. */
  public RequestAnswer answer(Requests.Kind kind) {
    return answers.get(kind);
  }

  /** A request value the operator has not answered yet (it acts on each value once). */
  public boolean unanswered(Requests.Kind kind, String value) {
    RequestAnswer a = answers.get(kind);
    return value != null && (a == null || !value.equals(a.value()));
  }

  public UnitState withPrimary(String p) {
    return new UnitState(
        p,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withStandby(String s) {
    return new UnitState(
        primary,
        s,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withEpoch(long e) {
    return new UnitState(
        primary,
        standby,
        e,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withFailovers(int f) {
    return new UnitState(
        primary,
        standby,
        epoch,
        f,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withSwitchovers(int n) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        n,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withNextOrdinal(long n) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        n,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withIntent(Intent i) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        i,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withHistory(List<FailoverTimings> h) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        h,
        homeNode,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withHomeNode(String n) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        n,
        primaryRestartBaseline,
        answers,
        quarantine);
  }

  public UnitState withPrimaryRestartBaseline(Integer b) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        b,
        answers,
        quarantine);
  }

  /** The newest history entry replaced by {@code t} (its timings completed), or {@code t} as the first entry. */
  public UnitState withLastFailover(FailoverTimings t) {
    List<FailoverTimings> h = new ArrayList<>(history);
    if (h.isEmpty()) h.add(t);
    else h.set(0, t);
    return withHistory(h);
  }

  /** A new promotion, first in the history (the oldest entry beyond {@link #HISTORY} drops out). */
  public UnitState withRecorded(FailoverTimings t) {
    List<FailoverTimings> h = new ArrayList<>(history);
    h.add(0, t);
    return withHistory(h);
  }

  /** One more promotion of this kind counted (failovers and switchovers; drills are counted in neither). */
  public UnitState counted(PromotionKind kind) {
    return switch (kind) {
      case Failover -> withFailovers(failovers + 1);
      case Switchover -> withSwitchovers(switchovers + 1);
      case Drill -> this;
    };
  }

  public UnitState withAnswer(RequestAnswer a) {
    Map<Requests.Kind, RequestAnswer> m = new EnumMap<>(Requests.Kind.class);
    m.putAll(answers);
    m.put(a.kind(), a);
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        m,
        quarantine);
  }

  /** The ids of the quarantined stimuli, in the order they were quarantined. */
  public List<String> quarantinedIds() {
    return quarantine.stream().map(QuarantinedStimulus::id).toList();
  }

  public UnitState withQuarantine(List<QuarantinedStimulus> q) {
    return new UnitState(
        primary,
        standby,
        epoch,
        failovers,
        switchovers,
        nextOrdinal,
        intent,
        history,
        homeNode,
        primaryRestartBaseline,
        answers,
        q);
  }
}
