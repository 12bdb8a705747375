package dev.availability.ou.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The pinned kubectl ({@code testenv/local-cluster bin-dir}) run against the drill cluster, as users type it. */
public final class Kubectl {
  private final DrillCluster cluster;
  private final Path kubectl;

  public Kubectl(DrillCluster cluster) throws IOException, InterruptedException {
    this.cluster = cluster;
    this.kubectl = Path.of(cluster.run("bin-dir").strip()).resolve("kubectl");
  }

  /** What one command did: its exit code, its output (stdout and stderr, interleaved), how long it took. */
  public record Result(int exitCode, String output, Duration took) {}

  public Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", cluster.kubeconfig.toString()));
    cmd.addAll(List.of(args));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    return new Result(rc, out, Duration.ofNanos(System.nanoTime() - start));
  }
}
