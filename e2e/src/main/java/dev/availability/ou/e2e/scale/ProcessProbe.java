package dev.availability.ou.e2e.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A process's footprint as the operating system sees it (/proc), and a full GC through jcmd. */
final class ProcessProbe {
  /** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on Linux since forever). */
  static final double TICKS_PER_SECOND = 100.0;

  private final long pid;

  ProcessProbe(long pid) {
    this.pid = pid;
  }

  long pid() {
    return pid;
  }

  /** VmRSS (or VmHWM, the peak) in MiB. */
  double statusMiB(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":"))
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    } catch (IOException e) {
      // gone: unknown
    }
    return -1;
  }

  /** User plus system CPU time so far, in seconds. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12]))
          / TICKS_PER_SECOND; // fields 14 and 15 of stat(5)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {@code jcmd PID GC.run} with the JDK that runs this benchmark; false when it failed. */
  boolean fullGc() {
    return jcmd("GC.run") != null;
  }

  /** The first {@code lines} rows of {@code jcmd PID GC.class_histogram} (what fills the heap), empty when it failed. */
  java.util.List<String> classHistogram(int lines) {
    String out = jcmd("GC.class_histogram");
    if (out == null) return java.util.List.of();
    return out.lines()
        .filter(l -> l.matches("\\s*\\d+:\\s+\\d+.*"))
        .limit(lines)
        .toList();
  }

  private String jcmd(String command) {
    Path jcmd =
        Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command)
          .redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
