package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Executes one probe against a pod's address as a kubelet does: an HTTP GET answered 200-399, or a TCP connect,
 * within the probe's timeout. (exec probes are not supported: the sample and the sidecar use none.)
 */
final class Probe {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1))
      .build();

  private Probe() {}

  static boolean passes(io.fabric8.kubernetes.api.model.Probe probe, Container c, String podIp) {
    Duration timeout =
        Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds());
    try {
      if (probe.getHttpGet() != null) {
        int port = port(probe.getHttpGet().getPort(), c);
        String path =
            probe.getHttpGet().getPath() == null ? "/" : probe.getHttpGet().getPath();
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://" + podIp + ":" + port + path))
            .timeout(timeout)
            .GET()
            .build();
        int status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        return status >= 200 && status < 400;
      }
      if (probe.getTcpSocket() != null) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(podIp, port(probe.getTcpSocket().getPort(), c)), (int)
              timeout.toMillis());
          return true;
        }
      }
      throw new IllegalArgumentException("container " + c.getName()
          + ": only httpGet and tcpSocket probes are supported by the process kubelet");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static int port(IntOrString port, Container c) {
    if (port.getIntVal() != null) return port.getIntVal();
    List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
    return ports.stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .map(ContainerPort::getContainerPort)
        .orElseThrow(() -> new IllegalArgumentException(
            "container " + c.getName() + " has no port named " + port.getStrVal()));
  }
}
