package dev.availability.ou.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cluster run by the project's script {@code testenv/local-cluster}: its name, its kubeconfig, and the script's
 * sub-commands ({@code fail-node}, {@code heal-node}, {@code restart}, {@code status}, {@code down}).
 * The script's progress lines are copied to stderr as they come.
 */
public final class LocalClusterHandle {

  /** A cold {@code up} builds Kubernetes from source: 15–30 minutes on 2 cores. */
  static final Duration UP_TIMEOUT = Duration.ofMinutes(60);

  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  private final Path repoRoot;
  private final String name;
  private final Path kubeconfig;

  LocalClusterHandle(Path repoRoot, String name, Path kubeconfig) {
    this.repoRoot = repoRoot;
    this.name = name;
    this.kubeconfig = kubeconfig;
  }

  /** Starts (or finds healthy) the cluster {@code name} with {@code nodes} fake nodes. */
  public static LocalClusterHandle up(Path repoRoot, String name, int nodes) {
    Progress.log("starting local cluster '" + name + "' with " + nodes
        + " nodes… (this can take minutes; a cold build of Kubernetes takes 15-30 min)");
    long start = System.nanoTime();
    String out = exec(
        repoRoot,
        commandLine(repoRoot, "up", name, "--nodes", Integer.toString(nodes)),
        UP_TIMEOUT);
    Path kubeconfig = parseKubeconfig(out)
        .orElseThrow(() -> new LocalClusterException(
            "testenv/local-cluster up printed no 'export KUBECONFIG=' line; its output: " + out));
    Progress.log("local cluster '" + name + "' ready in " + Progress.since(start) + "; KUBECONFIG="
        + kubeconfig);
    return new LocalClusterHandle(repoRoot, name, kubeconfig);
  }

  /** A cluster somebody else started with the script; this handle never deletes it unless asked. */
  public static LocalClusterHandle attach(Path repoRoot, String name, Path kubeconfig) {
    return new LocalClusterHandle(repoRoot, name, kubeconfig);
  }

  public String name() {
    return name;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path repoRoot() {
    return repoRoot;
  }

  /** Runs {@code testenv/local-cluster COMMAND --name NAME ARGS...}; returns its stdout, or throws with its reason. */
  public String run(String command, String... args) {
    return exec(repoRoot, commandLine(repoRoot, command, name, args), COMMAND_TIMEOUT);
  }

  /** Stops kwok from renewing the node's lease and status; returns at once (the node turns NotReady later). */
  public void failNode(String node) {
    run("fail-node", node, "--no-wait");
  }

  /** Lets kwok manage the node again; returns at once (the node turns Ready later). */
  public void healNode(String node) {
    run("heal-node", node, "--no-wait");
  }

  /** Kills one control-plane process and starts it again; returns once the API server answers. */
  public void restart(ControlPlaneComponent component) {
    Progress.log("restarting " + component.processName() + " of local cluster '" + name + "'…");
    long start = System.nanoTime();
    run("restart", component.processName());
    Progress.log(component.processName() + " restarted in " + Progress.since(start));
  }

  public String status() {
    return run("status");
  }

  /** Deletes the cluster and every process it runs. */
  public void down() {
    Progress.log("deleting local cluster '" + name + "'…");
    run("down");
  }

  @Override
  public String toString() {
    return "local cluster '" + name + "' (" + kubeconfig + ")";
  }

  static List<String> commandLine(Path repoRoot, String command, String name, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(repoRoot.resolve(RepoRoot.SCRIPT).toString());
    cmd.add(command);
    cmd.add("--name");
    cmd.add(name);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The path of the last {@code export KUBECONFIG=...} line, quotes removed. */
  static Optional<Path> parseKubeconfig(String stdout) {
    Optional<Path> found = Optional.empty();
    for (String line : stdout.split("\\R")) {
      String l = line.strip();
      if (l.startsWith("export KUBECONFIG=")) {
        String v = l.substring("export KUBECONFIG=".length())
            .replace("'", "")
            .replace("\"", "")
            .strip();
        if (!v.isEmpty()) {
          found = Optional.of(Path.of(v));
        }
      }
    }
    return found;
  }

  private static String exec(Path repoRoot, List<String> cmd, Duration timeout) {
    if (!Files.isExecutable(Path.of(cmd.get(0)))) {
      throw new LocalClusterException(cmd.get(0) + " is missing or not executable");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(repoRoot.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    }
    StringBuilder out = new StringBuilder();
    List<String> errTail = new ArrayList<>();
    Thread outReader = pump(p.getInputStream(), line -> {
      synchronized (out) {
        out.append(line).append('\n');
      }
    });
    Thread errReader = pump(p.getErrorStream(), line -> {
      System.err.println("  " + line);
      synchronized (errTail) {
        errTail.add(line);
        if (errTail.size() > 40) {
          errTail.removeFirst();
        }
      }
    });
    try {
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        p.destroyForcibly();
        throw new LocalClusterException(String.join(" ", cmd) + " did not finish in " + timeout);
      }
      outReader.join(5_000);
      errReader.join(5_000);
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new LocalClusterException("interrupted while running " + String.join(" ", cmd), e);
    }
    if (p.exitValue() != 0) {
      String tail;
      synchronized (errTail) {
        tail = String.join("\n", errTail);
      }
      throw new LocalClusterException(
          String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + tail);
    }
    synchronized (out) {
      return out.toString();
    }
  }

  private static Thread pump(InputStream in, java.util.function.Consumer<String> sink) {
    Thread t = Thread.ofPlatform().daemon().name("local-cluster-output").start(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          sink.accept(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return t;
  }

  /** A failed {@code testenv/local-cluster} command; the message carries the tail of its output. */
  public static final class LocalClusterException extends RuntimeException {
    public LocalClusterException(String message) {
      super(message);
    }

    public LocalClusterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
