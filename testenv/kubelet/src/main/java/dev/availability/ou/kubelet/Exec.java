package dev.availability.ou.kubelet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a short system command (ip, tar, mount) and fails with its output when it fails. */
final class Exec {
  private Exec() {}

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0)
      throw new IOException(String.join(" ", command) + " exited " + rc + ": " + out.strip());
    return out;
  }

  /** Like {@link #run} but a failure is only logged (cleanup paths, where the thing may already be gone). */
  static void quietly(String... command) {
    try {
      run(command);
    } catch (IOException e) {
      Log.debug("%s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<String> sh(String script) {
    return List.of("/bin/sh", "-c", script);
  }

  /** Single-quotes {@code s} for /bin/sh. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
