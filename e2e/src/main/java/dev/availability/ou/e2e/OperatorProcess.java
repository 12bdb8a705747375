package dev.availability.ou.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged operator (operator/target/quarkus-app) run as a local process against a cluster, as a user
 * would run it outside the cluster. Its output goes to a log file under e2e/target/operator-logs.
 */
public final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String name;

  private OperatorProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the operator and waits until it runs.
   *
   * @param leaseName the leader-election Lease; operators sharing it elect one leader
   */
  public static OperatorProcess start(
      Path repoRoot, Path kubeconfig, String name, String leaseName, Map<String, String> extraEnv) {
    Path jar = repoRoot.resolve("operator/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("no " + jar
          + ": package the operator first (build/mvn -DskipTests package, or run the whole build)");
    }
    try {
      Path logs = repoRoot.resolve("e2e/target/operator-logs");
      Files.createDirectories(logs);
      Path log = logs.resolve(name + "-" + System.currentTimeMillis() + ".log");
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd =
          new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-jar", jar.toString()));
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("QUARKUS_HTTP_PORT", "0");
      pb.environment().put("OU_LEADER_ELECTION_LEASE_NAME", leaseName);
      pb.environment().put("OU_LEADER_ELECTION_LEASE_NAMESPACE", "default");
      pb.environment().putAll(extraEnv);
      OperatorProcess op = new OperatorProcess(name, pb.start(), log);
      op.awaitLog("started in", Duration.ofSeconds(90));
      return op;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the operator: " + e.getMessage(), e);
    }
  }

  /** Waits until the operator's log contains {@code text}. */
  public void awaitLog(String text, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until)) {
      if (log().contains(text)) return;
      if (!process.isAlive())
        throw new IllegalStateException(
            "operator " + name + " exited (" + process.exitValue() + "); its log:\n" + tail(40));
      sleep(100);
    }
    throw new IllegalStateException("operator " + name + " did not log '" + text + "' within "
        + timeout + "; its log:\n" + tail(40));
  }

  public boolean isLeader() {
    return log().contains("Started event processing");
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  public String tail(int lines) {
    List<String> all = log().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  public Path logFile() {
    return log;
  }

  /** The port its HTTP server (/metrics, health) listens on, as it logged it at start. */
  public int httpPort() {
    var m = java.util.regex.Pattern.compile("Listening on: http://[^:]+:(\\d+)").matcher(log());
    if (!m.find())
      throw new IllegalStateException("operator " + name
          + " logged no 'Listening on: http://…:PORT' line; its log:\n" + tail(40));
    return Integer.parseInt(m.group(1));
  }

  /** The operator's Prometheus metrics now, as text. */
  public String metrics() {
    try (var http = java.net.http.HttpClient.newHttpClient()) {
      return http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + httpPort() + "/metrics"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read operator " + name + "'s /metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading operator " + name + "'s /metrics", e);
    }
  }

  /** The operating system's id of the operator's process (for /proc and jcmd). */
  public long pid() {
    return process.pid();
  }

  /** SIGKILL: the operator dies wherever it is, as on a node failure. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  @Override
  public void close() {
    if (!process.isAlive()) return;
    process.destroy();
    waitFor();
  }

  private void waitFor() {
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
        process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
