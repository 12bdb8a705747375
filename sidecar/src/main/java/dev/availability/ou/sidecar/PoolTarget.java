package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The local API of a pooled sidecar: the application serves the unit whose replica is primary here, if any, and
 * idles (a standby application) while every unit is a standby. Its watchers hear which unit it now serves.
 */
final class PoolTarget implements LocalApiTarget {
  private final Map<String, UnitMember>
      members; // the pool's, sorted by unit, changed by PooledSidecar only
  private final PooledSidecar pool;
  private final AppHealth appHealth;
  private final Counters counters;
  private final List<Consumer<UnitRoleView>> watchers = new CopyOnWriteArrayList<>();
  private UnitRoleView published;
  private static final Served NONE = new Served(null, null);
  /**
   * The unit served, found again at each role change of any unit (not on every request: each write would otherwise
   * take every replica's lock). Between a change and its listener a request may still go to the former primary's
   * replica, which refuses it itself (Replica.write), or find none yet, as just before a promotion.
   */
  private volatile Served served = NONE;

  PoolTarget(
      Map<String, UnitMember> members, PooledSidecar pool, AppHealth appHealth, Counters counters) {
    this.members = members;
    this.pool = pool;
    this.appHealth = appHealth;
    this.counters = counters;
  }

  /** Hooks a unit that joined: its role changes may change what the application serves. */
  void joined(String unit, UnitMember member) {
    member.replica().listeners().addRoleListener(v -> changed(unit + ": " + v.reason()));
    changed(unit + " joined the pool");
  }

  /** After a unit left. */
  void left(String unit) {
    changed(unit + " left the pool");
  }

  @Override
  public Served served() {
    return served;
  }

  /** Looks for the unit that is primary here now; {@link #served} keeps the answer between role changes. */
  private Served findServed() {
    for (Map.Entry<String, UnitMember> e : members.entrySet())
      if (e.getValue().replica().role() == Role.Primary)
        return new Served(e.getKey(), e.getValue().replica());
    return NONE;
  }

  @Override
  public String notServing() {
    return "this shared standby serves no unit: its units (" + String.join(", ", members.keySet())
        + ") are standbys here; it serves one once that unit is promoted";
  }

  /** The served unit's role; else a fenced unit's (a deposed primary here); else a standby of no unit. */
  @Override
  public UnitRoleView view(String reason) {
    Served s = findServed();
    if (s.replica() != null) return new UnitRoleView(s.unit(), s.replica().view(reason));
    for (Map.Entry<String, UnitMember> e : members.entrySet())
      if (e.getValue().replica().role() == Role.Fenced)
        return new UnitRoleView(e.getKey(), e.getValue().replica().view(reason));
    Role role = members.isEmpty() ? null : Role.Standby;
    return new UnitRoleView(null, new Replica.RoleView(role, 0, false, reason));
  }

  /** Publishes the application's view when a unit's change changed it (not every standby's epoch). */
  private synchronized void changed(String reason) {
    served = findServed();
    UnitRoleView now = view(reason);
    if (published != null
        && Objects.equals(published.unit(), now.unit())
        && published.view().role() == now.view().role()
        && published.view().epoch() == now.view().epoch()
        && published.view().serving() == now.view().serving()) return;
    published = now;
    for (Consumer<UnitRoleView> w : watchers) {
      try {
        w.accept(now);
      } catch (RuntimeException e) {
        Logs.error("role watcher failed", e);
      }
    }
  }

  @Override
  public void watch(Consumer<UnitRoleView> watcher) {
    watchers.add(watcher);
  }

  @Override
  public void unwatch(Consumer<UnitRoleView> watcher) {
    watchers.remove(watcher);
  }

  /**
   * The served unit's lines as a sidecar's (or {@code role=STANDBY} when none), {@code unit} and {@code poolUnits},
   * then each unit's own lines prefixed {@code unit.<name>.}.
   */
  @Override
  public List<String> statusLines() {
    List<String> lines = new ArrayList<>();
    Served s = served();
    lines.add("pooled=true");
    lines.add("unit=" + (s.unit() == null ? "" : s.unit()));
    lines.add("poolUnits=" + String.join(",", members.keySet()));
    if (s.replica() != null) lines.addAll(s.replica().statusLines());
    else lines.add("role=" + (members.isEmpty() ? "UNASSIGNED" : "STANDBY"));
    lines.add("appHealthy=" + appHealth.healthy());
    counters.snapshot().forEach((k, v) -> lines.add("counter." + k + "=" + v));
    for (Map.Entry<String, UnitMember> e : members.entrySet()) {
      String prefix = "unit." + e.getKey() + ".";
      for (String l : e.getValue().replica().statusLines()) lines.add(prefix + l);
      e.getValue()
          .counters()
          .snapshot()
          .forEach((k, v) -> lines.add(prefix + "counter." + k + "=" + v));
    }
    return lines;
  }

  @Override
  public Answer assign(
      String unit,
      Role role,
      long epoch,
      String peer,
      String nextPeer,
      Mode mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    if (nextPeer != null)
      return Answer.of(
          dev.availability.ou.client.LocalProtocol.BAD_REQUEST,
          "a pooled sidecar takes no next peer yet: assign its unit's peer alone");
    UnitMember m = unit == null ? null : members.get(unit);
    if (m != null && quarantined != null) m.replica().quarantine().set(quarantined);
    // (the units' dependencies are not told through a pooled sidecar yet: DEPENDENCIES is refused)
    return pool.assign(unit, role, epoch, peer, mode);
  }

  @Override
  public List<String> unavailableDependencies() {
    return null;
  }

  @Override
  public void reportServedNow() {
    String unit = served.unit();
    UnitMember m = unit == null ? null : members.get(unit);
    if (m != null) m.reportAtOnce();
  }

  @Override
  public Answer addUnit(String unit, String replicationAddress) {
    return pool.addUnit(unit, replicationAddress);
  }

  @Override
  public Answer removeUnit(String unit) {
    return pool.removeUnit(unit);
  }
}
