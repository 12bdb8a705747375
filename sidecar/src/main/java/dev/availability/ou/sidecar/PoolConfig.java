package dev.availability.ou.sidecar;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A pooled sidecar's settings (a shared standby holding one replica per unit of its pool): {@code OU_POOL_UNITS}
 * ({@code unit:port,...}, each unit's replication port on the pod's replication host; standalone control only),
 * {@code OU_POOL_PORTS} (the ports a unit that joins later takes, {@code first-last}) and {@code OU_PEER_KEY_DIR}
 * (one peer-key file per unit, named as the unit). Every other setting is the sidecar's own and applies to each
 * unit; {@link #unitConfig} derives a unit's configuration: data in {@code OU_DATA_DIR/<unit>}, its own
 * replication listener, its own key. See docs/sidecar-api.md "Pooled sidecar".
 */
record PoolConfig(
    Config base,
    Map<String, String> settings,
    Map<String, InetSocketAddress> units,
    Path peerKeyDir,
    int firstPort,
    int lastPort) {
  /** Ports for units joining at run time: 64, as many as a pool holds at most (StandbyPool maxUnits). */
  static final String DEFAULT_PORTS = "7601-7664";

  /** A unit's name as Kubernetes names objects (DNS-1123 label): safe in a path, a metric label and a status key. */
  private static final Pattern UNIT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** The pool's settings, or null when the sidecar is not pooled (OU_POOL and OU_POOL_UNITS unset). */
  static PoolConfig from(Map<String, String> env, String[] args) {
    Map<String, String> v = Config.settings(env, args);
    String list = Config.get(v, "OU_POOL_UNITS", null);
    boolean pooled = Boolean.parseBoolean(Config.get(v, "OU_POOL", Boolean.toString(list != null)));
    if (!pooled) return null;
    Config base = Config.from(v);
    if (!base.control().equals("standalone") && list != null)
      throw new IllegalArgumentException(
          "OU_POOL_UNITS is for OU_CONTROL=standalone: under Kubernetes the pod's assignment annotations"
              + " (assignment.ou.availability.dev/<unit>) say which units it holds; unset OU_POOL_UNITS and set"
              + " OU_POOL=true");
    if (base.initialRole() != null && !base.initialRole().equalsIgnoreCase("standby"))
      throw new IllegalArgumentException(
          "a pooled sidecar starts its units as standbys, not " + base.initialRole()
              + ": set OU_ROLE=Standby or leave it unset, and promote one unit later");
    String host = base.replication().getHostString();
    Map<String, InetSocketAddress> units = new LinkedHashMap<>();
    if (list != null) {
      for (String item : list.split(",")) {
        String t = item.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0)
          throw new IllegalArgumentException("OU_POOL_UNITS: expected unit:port, got '" + t
              + "' (e.g. OU_POOL_UNITS=u1:7601,u2:7602)");
        String unit = checkedUnit(t.substring(0, colon));
        if (units.put(unit, new InetSocketAddress(host, Integer.parseInt(t.substring(colon + 1))))
            != null) throw new IllegalArgumentException("OU_POOL_UNITS names " + unit + " twice");
      }
    }
    String ports = Config.get(v, "OU_POOL_PORTS", DEFAULT_PORTS).strip();
    int dash = ports.indexOf('-');
    int first;
    int last;
    try {
      first = Integer.parseInt(dash < 0 ? ports : ports.substring(0, dash).strip());
      last = dash < 0 ? first : Integer.parseInt(ports.substring(dash + 1).strip());
    } catch (NumberFormatException e) {
      first = last = -1;
    }
    if (first < 1 || last > 65535 || last < first)
      throw new IllegalArgumentException(
          "OU_POOL_PORTS: expected a range of ports first-last, got '" + ports + "' (e.g. "
              + DEFAULT_PORTS + ")");
    return new PoolConfig(
        base,
        v,
        units,
        Path.of(Config.get(v, "OU_PEER_KEY_DIR", "/etc/ou/peer-keys")),
        first,
        last);
  }

  /** The replication address of a unit joining now: the lowest port of OU_POOL_PORTS no unit uses. */
  InetSocketAddress freeAddress(java.util.Collection<Integer> used) {
    for (int port = firstPort; port <= lastPort; port++)
      if (!used.contains(port))
        return new InetSocketAddress(base.replication().getHostString(), port);
    throw new IllegalStateException(
        "all " + (lastPort - firstPort + 1) + " ports of OU_POOL_PORTS (" + firstPort + "-"
            + lastPort + ") are taken by units: widen OU_POOL_PORTS or hold fewer units");
  }

  /** {@code unit} when it is a valid unit name; else the error says what a name may be. */
  static String checkedUnit(String unit) {
    if (unit == null || !UNIT_NAME.matcher(unit).matches())
      throw new IllegalArgumentException(
          "not a unit name: '" + unit
              + "' (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)");
    return unit;
  }

  /** The configuration of {@code unit}'s member: the sidecar's, with its own data directory, listener and key. */
  Config unitConfig(String unit, InetSocketAddress replication) {
    Map<String, String> v = new HashMap<>(settings);
    String endpoint = replication.getHostString() + ":" + replication.getPort();
    v.put("OU_DATA_DIR", base.dataDir().resolve(unit).toString());
    v.put("OU_REPLICATION_ADDRESS", endpoint);
    v.put("OU_ADVERTISED_ENDPOINT", endpoint);
    v.put("OU_PEER_KEY_FILE", peerKeyDir.resolve(unit).toString());
    v.put("OU_MEMBER_NAME", base.memberName() + "/" + unit);
    v.remove("OU_PEER_ENDPOINT"); // a standby dials nobody; its unit's primary dials it
    return Config.from(v);
  }

  /** The units to start with, in the order named. */
  List<String> unitNames() {
    return new ArrayList<>(units.keySet());
  }

  static String describe(Map<String, InetSocketAddress> units) {
    StringBuilder sb = new StringBuilder();
    units.forEach((u, a) -> sb.append(sb.isEmpty() ? "" : ", ")
        .append(u)
        .append(" on ")
        .append(a.getHostString())
        .append(':')
        .append(a.getPort()));
    return sb.isEmpty() ? "none" : sb.toString();
  }
}
