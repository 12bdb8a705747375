package dev.availability.ou.e2e.scale;

import java.io.IOException;
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
        if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
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
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND; // fields 14 and 15 of stat(5)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {@code jcmd PID GC.run} with the JDK that runs this benchmark; false when it failed. */
  boolean fullGc() {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jcmd = Path.of(java).resolveSibling("jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
