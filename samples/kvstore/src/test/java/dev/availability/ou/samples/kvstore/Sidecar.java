package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.SidecarStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The real ou-sidecar as a separate JVM on its own loopback address, under standalone control (the test
 * assigns roles as the operator would), with a data directory that outlives the process. Public for the
 * tests of other modules (the e2e load client's), which get it from this module's test jar.
 */
public final class Sidecar implements AutoCloseable {
  static final int API_PORT = 7481;
  static final int REPLICATION_PORT = 7480;

  public final String name;
  public final String host;
  final Path dataDir;
  final Path logFile;
  final Map<String, String> env = new LinkedHashMap<>();
  private Process process;

  /** A 127.a.b. prefix unlikely to clash with another test run. */
  public static String freshNet() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "127." + (100 + r.nextInt(100)) + "." + r.nextInt(250) + ".";
  }

  public static Path newKey(Path dir) throws IOException {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return Files.write(dir.resolve("peer-key"), key);
  }

  public Sidecar(String name, String host, Path root, Path keyFile) throws IOException {
    this.name = name;
    this.host = host;
    this.dataDir = Files.createDirectories(root.resolve(name + "-data"));
    this.logFile = root.resolve(name + ".log");
    env.put("OU_CONTROL", "standalone");
    env.put("OU_DATA_DIR", dataDir.toString());
    env.put("OU_LOCAL_API_ADDRESS", host + ":" + API_PORT);
    env.put("OU_REPLICATION_ADDRESS", host + ":" + REPLICATION_PORT);
    env.put("OU_HEALTH_ADDRESS", host + ":7482");
    env.put("OU_PEER_KEY_FILE", keyFile.toString());
    env.put("OU_MEMBER_NAME", name);
    env.put("OU_HEARTBEAT_INTERVAL", "100ms");
    env.put("OU_PEER_LOST_AFTER", "1s");
    env.put("OU_SYNC_TIMEOUT", "3s");
    env.put("OU_FSYNC", "never");
  }

  public Sidecar with(String key, String value) {
    env.put(key, value);
    return this;
  }

  public InetSocketAddress apiAddress() {
    return new InetSocketAddress(host, API_PORT);
  }

  public String replicationEndpoint() {
    return host + ":" + REPLICATION_PORT;
  }

  /** Starts the process and waits until its local API accepts connections. */
  public Sidecar start() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of(
        "-XX:+UseSerialGC",
        "-Xmx96m",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        System.getProperty("java.class.path"),
        "dev.availability.ou.sidecar.SidecarMain"));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("OU_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().putAll(env);
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      if (!process.isAlive())
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ":\n" + log());
      try (Socket s = new Socket()) {
        s.connect(apiAddress(), 200);
        return this;
      } catch (IOException e) {
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(name + " did not start:\n" + log());
        Thread.sleep(20);
      }
    }
  }

  /** Gives the sidecar a role as the operator does through the pod annotation (standalone: through ASSIGN). */
  public void assign(MemberRole role, long epoch, Sidecar peer, String mode) {
    try (OuClient c = client()) {
      c.assign(role, epoch, peer == null ? null : peer.replicationEndpoint(), mode);
    }
  }

  /** As {@link #assign(MemberRole, long, Sidecar, String)}, with the stimuli the operator quarantined. */
  public void assign(
      MemberRole role, long epoch, Sidecar peer, String mode, java.util.List<String> quarantined) {
    try (OuClient c = client()) {
      c.assign(role, epoch, peer == null ? null : peer.replicationEndpoint(), mode, quarantined);
    }
  }

  public OuClient client() {
    return OuClient.connect(apiAddress(), Duration.ofSeconds(30));
  }

  public SidecarStatus status() {
    try (OuClient c = client()) {
      return c.status();
    }
  }

  /** SIGKILL, as a crashed pod. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public String log() {
    try {
      return Files.readString(logFile);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
