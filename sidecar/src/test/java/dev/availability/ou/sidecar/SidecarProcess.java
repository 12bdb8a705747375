package dev.availability.ou.sidecar;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.SidecarStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real sidecar as a separate JVM process on its own loopback address (127.x.y.z), with the
 * standalone control source, a data directory that outlives the process, and its log in a file.
 */
final class SidecarProcess implements AutoCloseable {
  static final int API_PORT = 7481;
  static final int REPLICATION_PORT = 7480;
  static final int HEALTH_PORT = 7482;
  /** JVM flags of the sidecar container (the operator sets the same through JAVA_TOOL_OPTIONS). */
  static final List<String> JVM_FLAGS = List.of(System.getProperty(
          "ou.sidecar.jvmFlags",
          "-XX:+UseSerialGC -Xms16m -Xmx64m -Xmn10m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:MaxMetaspaceSize=48m -Xss512k"
              + " -XX:CICompilerCount=2 -XX:ReservedCodeCacheSize=32m -XX:TrimNativeHeapInterval=5000 -XX:-UsePerfData"
              + " -XX:+ExitOnOutOfMemoryError -Djdk.nio.maxCachedBufferSize=262144")
      .split(" "));

  final String name;
  final String host;
  final Path dataDir;
  final Path logFile;
  final Path keyFile;
  final Map<String, String> env = new LinkedHashMap<>();
  private Process process;
  private long startNanos;
  long startMillis = -1;
  // Optional (network-namespace tests): a command prefix such as "ip netns exec NAME", the local
  // API's host (loopback inside that namespace) and how this JVM opens sockets there. Defaults: as
  // before.
  private List<String> commandPrefix = List.of();
  private String apiHost;
  private Where where = Where.HERE;
  private String heapOption;

  /** Runs an action that opens sockets (and their threads) in the network the process is in. */
  interface Where {
    Where HERE = new Where() {
      @Override
      public <T> T call(java.util.concurrent.Callable<T> action) throws Exception {
        return action.call();
      }
    };

    <T> T call(java.util.concurrent.Callable<T> action) throws Exception;
  }

  /** A host 127.a.b.c unique enough for one test run. */
  static String freshNet() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "127." + (100 + r.nextInt(100)) + "." + r.nextInt(250) + ".";
  }

  static Path newKey(Path dir) throws IOException {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Path p = dir.resolve("peer-key-" + System.nanoTime());
    Files.write(p, key);
    return p;
  }

  SidecarProcess(String name, String host, Path root, Path keyFile) throws IOException {
    this.name = name;
    this.host = host;
    this.dataDir = Files.createDirectories(root.resolve(name + "-data"));
    this.logFile = root.resolve(name + ".log");
    this.keyFile = keyFile;
    env.put("OU_CONTROL", "standalone");
    env.put("OU_DATA_DIR", dataDir.toString());
    env.put("OU_LOCAL_API_ADDRESS", host + ":" + API_PORT);
    env.put("OU_REPLICATION_ADDRESS", host + ":" + REPLICATION_PORT);
    env.put("OU_HEALTH_ADDRESS", host + ":" + HEALTH_PORT);
    env.put("OU_PEER_KEY_FILE", keyFile.toString());
    env.put("OU_MEMBER_NAME", name);
    env.put("OU_HEARTBEAT_INTERVAL", "100ms");
    env.put("OU_PEER_LOST_AFTER", "1s");
    env.put("OU_SYNC_TIMEOUT", "20s");
  }

  String replicationEndpoint() {
    return host + ":" + REPLICATION_PORT;
  }

  /** Runs the JVM with this heap in place of the default flags' {@code -Xmx} (a later {@code -Xmx} in the flags still wins). */
  SidecarProcess heapMiB(long mib) {
    heapOption = "-Xmx" + mib + "m";
    return this;
  }

  List<String> jvmFlags() {
    return jvmFlags(heapOption);
  }

  /** {@link #JVM_FLAGS} with their first {@code -Xmx} replaced by {@code heapOption} (null: as they are). */
  static List<String> jvmFlags(String heapOption) {
    List<String> flags = new ArrayList<>(JVM_FLAGS);
    if (heapOption == null) return flags;
    int xmx = -1;
    for (int i = 0; i < flags.size() && xmx < 0; i++) if (flags.get(i).startsWith("-Xmx")) xmx = i;
    if (xmx >= 0) flags.set(xmx, heapOption);
    else flags.add(0, heapOption);
    return flags;
  }

  SidecarProcess with(String key, String value) {
    env.put(key, value);
    return this;
  }

  /**
   * Runs the process behind {@code prefix} (e.g. {@code ip netns exec NAME}) with its local API on
   * {@code loopbackApiHost} there; the readiness probe, {@link #client()} and {@link #http} open their
   * sockets through {@code where}. Replication and health stay on {@link #host}.
   */
  SidecarProcess inNetwork(List<String> prefix, String loopbackApiHost, Where where) {
    this.commandPrefix = List.copyOf(prefix);
    this.apiHost = loopbackApiHost;
    this.where = where;
    env.put("OU_LOCAL_API_ADDRESS", loopbackApiHost + ":" + API_PORT);
    return this;
  }

  private InetSocketAddress apiAddress() {
    return new InetSocketAddress(apiHost != null ? apiHost : host, API_PORT);
  }

  private <T> T where(java.util.concurrent.Callable<T> action) throws IOException {
    try {
      return where.call(action);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** Starts the process and waits until its local API answers. */
  SidecarProcess start() throws IOException, InterruptedException {
    launch();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      if (!process.isAlive())
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ":\n" + tail());
      try {
        where(() -> {
          try (Socket s = new Socket()) {
            s.connect(apiAddress(), 200);
          }
          return null;
        });
        break;
      } catch (IOException e) {
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(name + " did not start:\n" + tail());
        Thread.sleep(20);
      }
    }
    startMillis = (System.nanoTime() - startNanos) / 1_000_000;
    return this;
  }

  /** Starts the process without waiting for anything (a sidecar that cannot reach its API server yet, for one). */
  SidecarProcess launch() throws IOException {
    List<String> cmd = new ArrayList<>(commandPrefix);
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmFlags());
    String jar = System.getProperty("ou.sidecar.jar");
    if (jar != null) {
      // as in the image: the packaged jar and the libraries its manifest names, in that order
      cmd.add("-jar");
      cmd.add(jar);
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(SidecarMain.class.getName());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("OU_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment()
        .put(
            "MALLOC_ARENA_MAX",
            "2"); // as in the container: fewer glibc arenas, less resident memory
    pb.environment().putAll(env);
    startNanos = System.nanoTime();
    process = pb.start();
    return this;
  }

  OuClient client() {
    try {
      return where(() -> OuClient.connect(apiAddress(), Duration.ofSeconds(30)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void assign(MemberRole role, long epoch, SidecarProcess peer) {
    try (OuClient c = client()) {
      c.assign(role, epoch, peer == null ? null : peer.replicationEndpoint(), null);
    }
  }

  SidecarStatus status() {
    try (OuClient c = client()) {
      return c.status();
    }
  }

  long counter(String name) {
    return status().number("counter." + name);
  }

  Map<String, byte[]> all() {
    try (OuClient c = client()) {
      return c.getAll();
    }
  }

  /** GET on the health endpoint; returns "code body". */
  String http(String path) throws IOException {
    try (Socket s = where(() -> {
      Socket c = new Socket();
      try {
        c.connect(new InetSocketAddress(host, HEALTH_PORT), 2000);
      } catch (IOException e) {
        c.close();
        throw e;
      }
      return c;
    })) {
      s.getOutputStream()
          .write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String resp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String code = resp.substring(9, 12);
      return code + " " + resp.substring(resp.indexOf("\r\n\r\n") + 4);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** SIGSTOP: it stops reading and answering, as on a stalled machine, until {@link #resume}. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String sig) throws IOException, InterruptedException {
    if (!alive()) return;
    int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(pid()))
        .inheritIO()
        .start()
        .waitFor();
    if (rc != 0) throw new IOException("kill -" + sig + " " + pid() + " exited with " + rc);
  }

  /** SIGTERM, without waiting (as the kubelet at a pod's deletion). */
  void terminate() {
    process.destroy();
  }

  /** SIGTERM and wait. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) kill();
    }
  }

  /** Resident memory (VmRSS, VmHWM) in KiB from /proc. */
  /**
   * VmRSS, VmHWM, RssAnon and RssFile in KiB. RssFile is mostly the JVM's shared library and class-data
   * archive: page cache, shared by every JVM on the machine that maps the same files.
   */
  long[] memoryKib() throws IOException {
    long[] m = new long[4];
    String[] names = {"VmRSS:", "VmHWM:", "RssAnon:", "RssFile:"};
    for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      for (int i = 0; i < names.length; i++)
        if (l.startsWith(names[i])) m[i] = Long.parseLong(l.replaceAll("\\D", ""));
    }
    return m;
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
