package dev.availability.ou.failover;

/**
 * What the unit's status remembers between reconciliations (and across operator restarts).
 *
 * @param intent a failover or switchover under way, or null
 * @param homeNode the node the primary was first placed on, for failback
 */
public record UnitState(
    String primary,
    String standby,
    long epoch,
    int failovers,
    long nextOrdinal,
    Intent intent,
    FailoverTimings lastFailover,
    String homeNode,
    Integer primaryRestartBaseline) {

  public static UnitState initial() {
    return new UnitState(null, null, 0, 0, 0, null, null, null, null);
  }

  public UnitState withPrimary(String p) { return new UnitState(p, standby, epoch, failovers, nextOrdinal, intent, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withStandby(String s) { return new UnitState(primary, s, epoch, failovers, nextOrdinal, intent, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withEpoch(long e) { return new UnitState(primary, standby, e, failovers, nextOrdinal, intent, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withFailovers(int f) { return new UnitState(primary, standby, epoch, f, nextOrdinal, intent, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withNextOrdinal(long n) { return new UnitState(primary, standby, epoch, failovers, n, intent, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withIntent(Intent i) { return new UnitState(primary, standby, epoch, failovers, nextOrdinal, i, lastFailover, homeNode, primaryRestartBaseline); }
  public UnitState withLastFailover(FailoverTimings t) { return new UnitState(primary, standby, epoch, failovers, nextOrdinal, intent, t, homeNode, primaryRestartBaseline); }
  public UnitState withHomeNode(String n) { return new UnitState(primary, standby, epoch, failovers, nextOrdinal, intent, lastFailover, n, primaryRestartBaseline); }
  public UnitState withPrimaryRestartBaseline(Integer b) { return new UnitState(primary, standby, epoch, failovers, nextOrdinal, intent, lastFailover, homeNode, b); }
}
