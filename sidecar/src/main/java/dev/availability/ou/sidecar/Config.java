package dev.availability.ou.sidecar;

import dev.availability.ou.contract.ContractKeys;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The sidecar's settings, from environment variables, each overridable by a command-line flag
 * {@code --name=value} where name is the variable without {@code OU_}, lower case, dashes for
 * underscores (OU_DATA_DIR → --data-dir). All are documented in docs/sidecar-api.md.
 */
public record Config(
    String control,
    String namespace,
    String podName,
    String podIp,
    String memberName,
    Mode mode,
    boolean acknowledgeAlone,
    Path dataDir,
    FsyncPolicy fsync,
    long logRetentionBytes,
    long segmentBytes,
    int snapshotsKept,
    InetSocketAddress localApi,
    InetSocketAddress replication,
    String advertisedEndpoint,
    InetSocketAddress health,
    Path peerKeyFile,
    Timing timing,
    long syncTimeoutMillis,
    int maxValueBytes,
    int batchBytes,
    long reportIntervalMillis,
    long positionReportIntervalMillis,
    long synchronousPositionReportIntervalMillis,
    String appProbe,
    long appProbeIntervalMillis,
    String initialRole,
    long initialEpoch,
    String initialPeer,
    String apiServer,
    String apiTokenFile,
    String apiCaFile,
    String assignmentFile,
    long apiRequestTimeoutMillis,
    boolean sealStream,
    int localApiMaxConnections) {

  public static Config from(Map<String, String> env, String[] args) {
    return from(settings(env, args));
  }

  /** The environment with the flags laid over it (--data-dir=X becomes OU_DATA_DIR=X). */
  static Map<String, String> settings(Map<String, String> env, String[] args) {
    Map<String, String> v = new HashMap<>(env);
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("="))
        throw new IllegalArgumentException("expected --name=value, got " + a);
      String name = a.substring(2, a.indexOf('='));
      v.put(
          "OU_" + name.toUpperCase(Locale.ROOT).replace('-', '_'), a.substring(a.indexOf('=') + 1));
    }
    return v;
  }

  /** The configuration the settings ({@link #settings}) describe. */
  static Config from(Map<String, String> v) {
    String podName = get(v, "OU_POD_NAME", null);
    String podIp = get(v, "OU_POD_IP", null);
    String control = get(v, "OU_CONTROL", podName != null ? "kubernetes" : "standalone")
        .toLowerCase(Locale.ROOT);
    if (!control.equals("kubernetes") && !control.equals("standalone"))
      throw new IllegalArgumentException("OU_CONTROL must be kubernetes or standalone");
    String replicationHost = podIp != null ? podIp : "127.0.0.1";
    InetSocketAddress replication = address(
        get(v, "OU_REPLICATION_ADDRESS", replicationHost + ":" + ContractKeys.REPLICATION_PORT));
    String advertised =
        get(v, "OU_ADVERTISED_ENDPOINT", replication.getHostString() + ":" + replication.getPort());
    String memberName = get(v, "OU_MEMBER_NAME", podName != null ? podName : advertised);
    int maxValue = (int) parseBytes(get(v, "OU_MAX_VALUE_BYTES", "4Mi"));
    return new Config(
        control,
        get(v, "OU_NAMESPACE", null),
        podName,
        podIp,
        memberName,
        Mode.parse(get(v, "OU_MODE", "Synchronous")),
        acknowledgeAlone(get(v, "OU_DATA_DURABILITY", "required")),
        Path.of(get(v, "OU_DATA_DIR", "/var/lib/ou-sidecar")),
        FsyncPolicy.parse(get(v, "OU_FSYNC", "always")),
        parseBytes(get(v, "OU_LOG_RETENTION", "256Mi")),
        parseBytes(get(v, "OU_SEGMENT_BYTES", "16Mi")),
        Integer.parseInt(get(v, "OU_SNAPSHOTS_KEPT", "2")),
        address(get(v, "OU_LOCAL_API_ADDRESS", "127.0.0.1:" + ContractKeys.LOCAL_API_PORT)),
        replication,
        advertised,
        address(get(v, "OU_HEALTH_ADDRESS", (podIp != null ? podIp : "127.0.0.1") + ":7482")),
        Path.of(get(v, "OU_PEER_KEY_FILE", "/etc/ou/peer-key/key")),
        // Until the first assignment says otherwise (Timing): the operator sends the unit's,
        // computed from its budget.
        new Timing(
            parseMillis(get(v, "OU_HEARTBEAT_INTERVAL", "200ms")),
            parseMillis(get(v, "OU_PEER_LOST_AFTER", "2s")),
            parseMillis(get(v, "OU_LEASE_SAFETY_MARGIN", "500ms"))),
        parseMillis(get(v, "OU_SYNC_TIMEOUT", "10s")),
        maxValue,
        (int) parseBytes(get(v, "OU_BATCH_BYTES", "1Mi")),
        parseMillis(get(v, "OU_REPORT_INTERVAL", "1s")),
        parseMillis(get(v, "OU_POSITION_REPORT_INTERVAL", "10s")),
        parseMillis(get(v, "OU_SYNCHRONOUS_POSITION_REPORT_INTERVAL", "60s")),
        get(v, "OU_APP_PROBE", null),
        parseMillis(get(v, "OU_APP_PROBE_INTERVAL", "1s")),
        get(v, "OU_ROLE", null),
        Long.parseLong(get(v, "OU_EPOCH", "0")),
        get(v, "OU_PEER_ENDPOINT", null),
        // OU_CONTROL=kubernetes: null means in-cluster (KUBERNETES_SERVICE_HOST/PORT, the mounted
        // ServiceAccount).
        get(v, "OU_API_SERVER", null),
        get(v, "OU_API_TOKEN_FILE", null),
        get(v, "OU_API_CA_FILE", null),
        // The pod's assignment as it was created (a downward API file; AssignmentFile).
        get(v, "OU_ASSIGNMENT_FILE", null),
        // One API call's limit. A renewal that takes longer than a fraction of the lease is worth
        // nothing (the lease counts from when it was sent) and blocks the next attempt: after an
        // API server restart, calls sent while it was starting hung for the default 10 s and the
        // operator saw the lease lapse.
        parseMillis(get(v, "OU_API_REQUEST_TIMEOUT", "1s")),
        sealStream(get(v, "OU_STREAM_ENCRYPTION", "aes-256-gcm")),
        positive(
            "OU_LOCAL_API_MAX_CONNECTIONS",
            Integer.parseInt(get(v, "OU_LOCAL_API_MAX_CONNECTIONS", "32"))));
  }

  /** How often the members exchange heartbeats, now ({@link Timing}: an assignment may change it). */
  public long heartbeatMillis() {
    return timing.heartbeatMillis();
  }

  /** Silence after which the peer counts as lost, now ({@link Timing}). */
  public long peerLostAfterMillis() {
    return timing.peerLostAfterMillis();
  }

  /** How long before its lease would lapse a primary stops acknowledging, now ({@link Timing}). */
  public long leaseSafetyMarginMillis() {
    return timing.leaseSafetyMarginMillis();
  }

  /**
   * OU_DATA_DURABILITY: {@code required} (the default) — a Synchronous or Journal primary acknowledges
   * only what a standby holds, and waits (up to OU_SYNC_TIMEOUT) while it has none; {@code preferred} —
   * while the operator has given it no standby yet (just promoted, or its standby replaced) and until the
   * new standby's session starts, it acknowledges on its own durable write, as PostgreSQL's
   * non-strict synchronous mode does. The operator sets it from {@code spec.replication.dataDurability}.
   */
  static boolean acknowledgeAlone(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "required" -> false;
      case "preferred" -> true;
      default ->
        throw new IllegalArgumentException(
            "OU_DATA_DURABILITY must be required or preferred, not " + value);
    };
  }

  /**
   * OU_STREAM_ENCRYPTION: {@code aes-256-gcm} asks for the replication frames after the handshake to be
   * sealed; {@code none} does not ask (the peers still authenticate each other), for networks that
   * encrypt pod traffic already. A connection is sealed when either member asks; the operator sets it
   * from {@code spec.replication.encryptStream}.
   */
  static boolean sealStream(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "aes-256-gcm" -> true;
      case "none" -> false;
      default ->
        throw new IllegalArgumentException(
            "OU_STREAM_ENCRYPTION must be aes-256-gcm or none, not " + value);
    };
  }

  private static int positive(String name, int value) {
    if (value < 1) throw new IllegalArgumentException(name + " must be at least 1, not " + value);
    return value;
  }

  static String get(Map<String, String> v, String name, String dflt) {
    String s = v.get(name);
    return s == null || s.isBlank() ? dflt : s.trim();
  }

  static InetSocketAddress address(String hostPort) {
    int i = hostPort.lastIndexOf(':');
    if (i <= 0) throw new IllegalArgumentException("expected host:port, got " + hostPort);
    return new InetSocketAddress(
        hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
  }

  /** "250ms", "2s", "1m", "1h" or plain milliseconds. */
  static long parseMillis(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.endsWith("ms")) return Long.parseLong(v.substring(0, v.length() - 2));
    if (v.endsWith("s"))
      return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000);
    if (v.endsWith("m")) return Long.parseLong(v.substring(0, v.length() - 1)) * 60_000;
    if (v.endsWith("h")) return Long.parseLong(v.substring(0, v.length() - 1)) * 3_600_000;
    return Long.parseLong(v);
  }

  /** "64Mi", "1Gi", "512Ki", "10M", or plain bytes. */
  static long parseBytes(String s) {
    String v = s.trim();
    long mult = 1;
    String[][] units = {
      {"Ki", "1024"},
      {"Mi", "1048576"},
      {"Gi", "1073741824"},
      {"K", "1000"},
      {"M", "1000000"},
      {"G", "1000000000"}
    };
    for (String[] u : units) {
      if (v.endsWith(u[0])) {
        mult = Long.parseLong(u[1]);
        v = v.substring(0, v.length() - u[0].length());
        break;
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(v.trim()), mult);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "not a size in bytes (digits, then Ki, Mi, Gi, K, M or G): " + s);
    }
  }
}
