package dev.availability.ou.e2e.scale;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Where the figures come from: the API server's and the operator's /metrics, and the processes' /proc. */
final class Probes {
  static final double MIB = 1024.0 * 1024.0;
  private final KubernetesClient admin;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int operatorPort;
  final ProcessProbe operator;
  final ProcessProbe apiserver;
  final ProcessProbe etcd;
  final ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());

  Probes(KubernetesClient admin, Path kubeconfig, long operatorPid, int operatorPort) {
    this.admin = admin;
    this.operatorPort = operatorPort;
    this.operator = new ProcessProbe(operatorPid);
    Path pids = kubeconfig.toAbsolutePath().getParent().resolve("pids");
    this.apiserver = new ProcessProbe(pid(pids.resolve("kube-apiserver.pid")));
    this.etcd = new ProcessProbe(pid(pids.resolve("etcd.pid")));
  }

  private static long pid(Path file) {
    try {
      return Long.parseLong(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      return -1; // not a local cluster of testenv: its CPU is not shown
    }
  }

  PromText apiserverMetrics() {
    return PromText.parse(
        admin.raw(admin.getMasterUrl().toString().replaceAll("/$", "") + "/metrics"));
  }

  PromText operatorMetrics() {
    try {
      HttpRequest r = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + operatorPort + "/metrics"))
          .timeout(Duration.ofSeconds(30))
          .build();
      return PromText.parse(http.send(r, HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the operator's metrics on 127.0.0.1:" + operatorPort + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The operator's heap in use right after a full GC (jcmd GC.run, then its JVM's own figure), MiB; -1 if the GC could not be run. */
  double operatorHeapAfterGcMiB() {
    if (!operator.fullGc()) return -1;
    return operatorMetrics().sum("jvm_memory_used_bytes", s -> "heap".equals(s.label("area")))
        / MIB;
  }
}
