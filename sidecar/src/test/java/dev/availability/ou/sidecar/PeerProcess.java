package dev.availability.ou.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process of a peer database in the replication benchmark (PostgreSQL, Redis): its output in a log
 * file, its pid written to the script's list so that the script's trap can end it if this JVM cannot,
 * and run as an unprivileged user when the benchmark runs as root (initdb refuses root).
 */
final class PeerProcess {
  /** The file bench/replication reads on exit to end what is still running (empty: none). */
  static final String PID_LIST = System.getProperty("bench.peerPids", "");

  final String name;
  final Path log;
  private final Process process;

  private PeerProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /** Starts a long-running server; {@code asUser}: the user to run it as when this JVM is root (null: this JVM's user). */
  static PeerProcess start(String name, List<String> command, Path log, String asUser)
      throws IOException {
    Process p = new ProcessBuilder(asUser(command, asUser))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!PID_LIST.isEmpty()) {
      Files.writeString(
          Path.of(PID_LIST), p.pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return new PeerProcess(name, log, p);
  }

  /** Runs a command to its end (initdb, pg_basebackup); a failure says which command and shows its output. */
  static void run(String what, List<String> command, Path log, String asUser)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(asUser(command, asUser))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          what + " did not finish in 120 s: " + String.join(" ", command) + "\n" + tail(log));
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): "
          + String.join(" ", command) + "\n" + tail(log));
    }
  }

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asUser(List<String> command, String user) {
    if (user == null || !root()) return command;
    // setpriv execs the command itself (runuser and su stay as a parent), so the pid we hold is the
    // server's.
    List<String> c = new ArrayList<>(
        List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
    c.addAll(command);
    return c;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * Sends the signal that shuts the server down cleanly but without waiting for clients (PostgreSQL: INT,
   * fast shutdown; Redis: TERM), then SIGKILL after 10 s.
   */
  void stop(String signal) throws InterruptedException {
    if (!process.isAlive()) return;
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .start()
          .waitFor();
    } catch (IOException e) {
      process.destroy();
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  String tail() {
    return tail(log);
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- last lines of " + log + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
