package dev.availability.ou.drill;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A unit's resident memory as the operating system counts it: every process of its member pods (the app's JVM
 * and the sidecar's), found through the network namespace the process kubelet gives each pod
 * ({@code ou-<first 8 characters of the pod's uid>}), summing {@code VmRSS} from {@code /proc}. The kubelet's own
 * API forwarder in the pod (socat) is left out: it is the test node's plumbing, not the pod's.
 */
final class UnitMemory {
  private UnitMemory() {}

  /** Resident memory and process count of {@code pods}. */
  record Figure(long rssKiB, int processes) {
    long rssMiB() {
      return rssKiB / 1024;
    }
  }

  static Figure of(List<Pod> pods) throws IOException, InterruptedException {
    long kib = 0;
    int processes = 0;
    for (Pod pod : pods) {
      String ns = "ou-" + pod.getMetadata().getUid().substring(0, 8);
      Process p = new ProcessBuilder("ip", "netns", "pids", ns)
          .redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0)
        throw new IOException("ip netns pids " + ns + " failed: " + out.strip());
      for (String pid : out.split("\\s+")) {
        if (pid.isBlank()) continue;
        Path proc = Path.of("/proc", pid);
        try {
          if (Files.readString(proc.resolve("comm")).strip().equals("socat")) continue;
          for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) kib += Long.parseLong(line.replaceAll("\\D", ""));
          }
          processes++;
        } catch (IOException gone) {
          // the process ended meanwhile
        }
      }
    }
    return new Figure(kib, processes);
  }
}
