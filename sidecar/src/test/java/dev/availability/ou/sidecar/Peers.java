package dev.availability.ou.sidecar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Starts the peers bench/replication names (bench.peers: postgresql,redis or none), and stops them on any exit of this JVM. */
final class Peers {
  static final String NAMES = System.getProperty("bench.peers", "none");
  /** The directory of PostgreSQL's server programs (bench/replication finds the newest installed). */
  static final String POSTGRES_BIN = System.getProperty("bench.postgresBin", "");

  static final String REDIS_SERVER = System.getProperty("bench.redisServer", "redis-server");

  private Peers() {}

  /** {@code root}: the benchmark's data directory (the sidecars' disk); {@code net}: its 127.a.b. prefix. */
  static List<Peer> start(Path root, String net) throws Exception {
    List<Peer> peers = new ArrayList<>();
    // Ctrl-C, a failed cell or the end of main: the servers go with this JVM (bench/replication's
    // trap covers a JVM that dies).
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> peers.forEach(Peer::close), "stop-peers"));
    for (String name : NAMES.split(",")) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      if (n.isEmpty() || n.equals("none")) continue;
      long t0 = System.nanoTime();
      System.err.printf(
          Locale.ROOT, "starting the %s peer (a primary and a replica on %s*)...%n", n, net);
      switch (n) {
        case "postgresql" -> {
          // PostgreSQL runs as its own user when we are root: let it through to its directory,
          // nothing more.
          Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
          PostgresPeer pg = new PostgresPeer(
              Path.of(POSTGRES_BIN), root.resolve("postgresql"), net + "11", net + "12");
          peers.add(pg);
          pg.start();
        }
        case "redis" -> {
          RedisPeer redis =
              new RedisPeer(Path.of(REDIS_SERVER), root.resolve("redis"), net + "21", net + "22");
          peers.add(redis);
          redis.start();
        }
        default ->
          throw new IllegalArgumentException(
              "unknown peer '" + n + "' in BENCH_PEERS: use postgresql, redis, or none");
      }
      System.err.printf(Locale.ROOT, "  %s ready in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    }
    return peers;
  }
}
