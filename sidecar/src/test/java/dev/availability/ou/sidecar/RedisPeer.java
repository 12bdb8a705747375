package dev.availability.ou.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis as the benchmark's peer: a primary and one replica on loopback, both with {@code appendonly yes}
 * and {@code appendfsync always} (every write flushed to the append-only file before it is answered; the
 * data beside the sidecars' on the same disk), no snapshots. Subjects: {@code redis-wait}, SET then
 * {@code WAIT 1 0} sent together (acknowledged once the replica has the write: it has applied it, not
 * necessarily flushed it; Redis 7.2's WAITAOF would wait for that), the peer for Synchronous; and
 * {@code redis}, SET alone (the replica follows asynchronously), the peer for Asynchronous.
 */
final class RedisPeer implements Peer {
  static final int PORT = 16379;
  private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WAIT = "WAIT".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ONE = "1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO = "0".getBytes(StandardCharsets.US_ASCII);

  private final Path server;
  private final Path dir;
  private final String primaryHost;
  private final String replicaHost;
  private PeerProcess primary;
  private PeerProcess replica;
  private boolean closed;

  RedisPeer(Path server, Path dir, String primaryHost, String replicaHost) {
    this.server = server;
    this.dir = dir;
    this.primaryHost = primaryHost;
    this.replicaHost = replicaHost;
  }

  synchronized void start() throws Exception {
    Files.createDirectories(dir.resolve("primary"));
    Files.createDirectories(dir.resolve("replica"));
    primary = PeerProcess.start(
        "redis-primary",
        command(primaryHost, "primary", List.of()),
        dir.resolve("primary.log"),
        null);
    awaitAccepting(primaryHost, primary);
    replica = PeerProcess.start(
        "redis-replica",
        command(
            replicaHost, "replica", List.of("--replicaof", primaryHost, Integer.toString(PORT))),
        dir.resolve("replica.log"),
        null);
    awaitAccepting(replicaHost, replica);
    for (int i = 0; i < 300; i++) {
      if (replicaOnline()) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "the Redis replica did not come online in 30 s\n" + replica.tail() + "\n" + primary.tail());
  }

  private List<String> command(String host, String name, List<String> extra) {
    List<String> c = new ArrayList<>(List.of(
        server.toString(),
        "--bind",
        host,
        "--port",
        Integer.toString(PORT),
        "--dir",
        dir.resolve(name).toString(),
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--protected-mode",
        "no",
        "--daemonize",
        "no",
        "--logfile",
        ""));
    c.addAll(extra);
    return c;
  }

  @Override
  public String version() throws IOException {
    try (RespConnection c = new RespConnection(primaryHost, PORT)) {
      String info = (String) c.call("INFO", "server");
      int at = info.indexOf("redis_version:");
      return "Redis " + (at < 0 ? "?" : info.substring(at + 14, info.indexOf('\r', at)));
    }
  }

  @Override
  public List<String> subjects() {
    return List.of("redis-wait", "redis");
  }

  @Override
  public Peer.Cell cell(String subject) {
    boolean wait = subject.equals("redis-wait");
    return new PerThreadCell<RespConnection>(
        () -> new RespConnection(primaryHost, PORT), (c, k, v) -> {
          c.send(SET, k, v);
          if (wait)
            c.send(
                WAIT, ONE,
                ZERO); // sent with the SET: one round trip, the reply once the replica has the
          // write
          c.flush();
          Object ok = c.read();
          if (!"OK".equals(ok)) throw new IOException("Redis SET answered " + ok);
          if (wait && !(c.read() instanceof Long n && n >= 1))
            throw new IOException("Redis WAIT 1 0 returned without the replica");
        });
  }

  @Override
  public List<Long> pids() {
    return List.of(primary.pid(), replica.pid());
  }

  @Override
  public void waitInSync() throws Exception {
    for (int i = 0; i < 600; i++) {
      String info = info();
      long master = field(info, "master_repl_offset:");
      int at = info.indexOf("slave0:");
      if (at >= 0 && field(info.substring(at).replace(',', '\n'), "offset=") >= master) return;
      Thread.sleep(50);
    }
  }

  private boolean replicaOnline() throws IOException {
    String info = info();
    return info.contains("slave0:") && info.contains("state=online");
  }

  private String info() throws IOException {
    try (RespConnection c = new RespConnection(primaryHost, PORT)) {
      return (String) c.call("INFO", "replication");
    }
  }

  private static long field(String text, String name) {
    int at = text.indexOf(name);
    if (at < 0) return -1;
    int end = at + name.length();
    while (end < text.length() && Character.isDigit(text.charAt(end))) end++;
    return Long.parseLong(text.substring(at + name.length(), end));
  }

  private static void awaitAccepting(String host, PeerProcess server) throws Exception {
    IOException last = null;
    for (int i = 0; i < 300; i++) {
      if (!server.alive())
        throw new IllegalStateException(server.name + " exited while starting\n" + server.tail());
      try (RespConnection c = new RespConnection(host, PORT)) {
        if ("PONG".equals(c.call("PING"))) return;
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        server.name + " did not answer PING in 30 s (" + last + ")\n" + server.tail());
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      if (replica != null) replica.stop("TERM");
      if (primary != null) primary.stop("TERM");
      ReplicationBench.deleteTree(dir);
    } catch (Exception e) {
      System.err.println("warning: could not stop Redis or delete " + dir + " cleanly: " + e);
    }
  }
}
