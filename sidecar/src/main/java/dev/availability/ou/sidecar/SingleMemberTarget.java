package dev.availability.ou.sidecar;

import static dev.availability.ou.client.LocalProtocol.FORBIDDEN;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The local API of a sidecar that is not pooled: always its one member's replica. */
final class SingleMemberTarget implements LocalApiTarget {
  private final UnitMember member;
  private final Replica replica;
  private final Served served; // always the one member
  private final StandaloneControl standalone; // null under Kubernetes control
  private final AppHealth appHealth;
  private final Counters counters;
  private final Map<Consumer<UnitRoleView>, Consumer<Replica.RoleView>> watchers =
      new ConcurrentHashMap<>();

  SingleMemberTarget(UnitMember member, AppHealth appHealth) {
    this.member = member;
    this.replica = member.replica();
    this.served = new Served(null, replica);
    this.standalone = member.control() instanceof StandaloneControl s ? s : null;
    this.appHealth = appHealth;
    this.counters = member.counters();
  }

  @Override
  public Served served() {
    return served;
  }

  @Override
  public String notServing() {
    return "";
  }

  @Override
  public UnitRoleView view(String reason) {
    return new UnitRoleView(null, replica.view(reason), replica.dependencies().names());
  }

  @Override
  public void watch(Consumer<UnitRoleView> watcher) {
    Consumer<Replica.RoleView> l =
        v -> watcher.accept(new UnitRoleView(null, v, replica.dependencies().names()));
    watchers.put(watcher, l);
    replica.listeners().addRoleListener(l);
  }

  @Override
  public void unwatch(Consumer<UnitRoleView> watcher) {
    Consumer<Replica.RoleView> l = watchers.remove(watcher);
    if (l != null) replica.listeners().removeRoleListener(l);
  }

  @Override
  public List<String> statusLines() {
    return LocalApiPayloads.statusLines(replica, appHealth, counters);
  }

  @Override
  public Answer assign(
      String unit,
      dev.availability.ou.contract.Role role,
      long epoch,
      String peer,
      String nextPeer,
      Mode mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    if (standalone == null)
      return Answer.of(FORBIDDEN, "ASSIGN is only accepted with OU_CONTROL=standalone");
    if (quarantined != null) replica.quarantine().set(quarantined);
    Answer a = standalone.answerAssign(role, epoch, peer, nextPeer, mode);
    if (unavailableDependencies != null) replica.dependencies(unavailableDependencies);
    return a;
  }

  @Override
  public List<String> unavailableDependencies() {
    return replica.dependencies().names();
  }

  @Override
  public void reportServedNow() {
    member.reportAtOnce();
  }

  @Override
  public Answer addUnit(String unit, String replicationAddress) {
    return notPooled();
  }

  @Override
  public Answer removeUnit(String unit) {
    return notPooled();
  }

  private static Answer notPooled() {
    return Answer.of(
        FORBIDDEN,
        "this sidecar is not pooled (OU_POOL_UNITS is unset): it holds one unit and takes no units in or out");
  }
}
