package dev.availability.ou.kubelet.proxy;

import static dev.availability.ou.kubelet.proxy.Slices.endpoint;
import static dev.availability.ou.kubelet.proxy.Slices.servicePort;
import static dev.availability.ou.kubelet.proxy.Slices.slice;
import static dev.availability.ou.kubelet.proxy.Slices.slicePort;
import static dev.availability.ou.kubelet.proxy.TestServer.readLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One Service's listeners, address files and log lines, fed Service ports and slices as the informers would. */
@Timeout(30)
class ProxiedServiceTest {
  @TempDir
  Path stateDir;

  private final List<String> log = new CopyOnWriteArrayList<>();
  private ProxiedService service;

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void eachPortListensAndItsAddressIsFoundUnderItsNameAndNumber() throws IOException {
    service = proxied();
    service.ports(List.of(servicePort("http", 80), servicePort("metrics", 9090)));

    InetSocketAddress http = service.address("http").orElseThrow();
    InetSocketAddress metrics = service.address("9090").orElseThrow();
    assertThat(service.address("80")).contains(http);
    assertThat(service.address("metrics")).contains(metrics);
    assertThat(http.getPort()).isNotEqualTo(metrics.getPort());
    assertThat(http.getAddress().isLoopbackAddress()).isTrue();
    assertThat(service.address("443")).isEmpty();
    assertThat(service.address(null)).as("two ports: which one is not said").isEmpty();

    Path dir = stateDir.resolve("services/ns/svc");
    assertThat(Files.readString(dir.resolve("http")))
        .isEqualTo("127.0.0.1:" + http.getPort() + "\n");
    assertThat(Files.readString(dir.resolve("80"))).isEqualTo("127.0.0.1:" + http.getPort() + "\n");
    assertThat(Files.readString(dir.resolve("metrics")))
        .isEqualTo("127.0.0.1:" + metrics.getPort() + "\n");
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("http", "80", "metrics", "9090");
    }
    assertThat(log).filteredOn(line -> line.contains("listening on")).hasSize(2);
  }

  @Test
  void addressStaysWhileEndpointsChangeAndNewConnectionsFollowThem() throws IOException {
    try (TestServer a = TestServer.identifyingEcho("a");
        TestServer b = TestServer.identifyingEcho("b")) {
      service = proxied();
      service.ports(List.of(servicePort(null, 80)));
      InetSocketAddress address = service.address(null).orElseThrow();

      service.endpoints(List.of(sliceTo(a)));
      assertThat(firstLine(address)).isEqualTo("a");
      service.endpoints(List.of(sliceTo(b)));
      assertThat(firstLine(address)).isEqualTo("b");
      service.ports(List.of(servicePort(null, 80)));

      assertThat(service.address("80")).contains(address);
      assertThat(log).filteredOn(line -> line.contains("listening on")).hasSize(1);
    }
  }

  @Test
  void logsAReadyLineOnlyWhenTheReadySetChanges() {
    service = proxied();
    service.ports(List.of(servicePort("http", 80)));
    EndpointSlice one =
        slice("svc-a", List.of(slicePort("http", 8080)), endpoint("10.1.0.1", true));
    EndpointSlice notReady =
        slice("svc-a", List.of(slicePort("http", 8080)), endpoint("10.1.0.1", false));

    service.endpoints(List.of());
    service.endpoints(List.of(one));
    service.endpoints(List.of(one));
    service.endpoints(List.of(notReady));
    service.endpoints(List.of());

    assertThat(log)
        .filteredOn(line -> line.contains(" ready: "))
        .containsExactly(
            "ns/svc ready: http(80) -> none",
            "ns/svc ready: http(80) -> 10.1.0.1:8080",
            "ns/svc ready: http(80) -> none");
  }

  @Test
  void aPortGoneClosesItsListenerAndFilesAndCloseRemovesTheRest() throws IOException {
    service = proxied();
    service.ports(List.of(servicePort("http", 80), servicePort("metrics", 9090)));
    InetSocketAddress metrics = service.address("metrics").orElseThrow();

    service.ports(List.of(servicePort("http", 80)));

    assertThat(service.address("metrics")).isEmpty();
    Path dir = stateDir.resolve("services/ns/svc");
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("http", "80");
    }
    assertThat(log)
        .contains("ns/svc metrics(9090) closed (was 127.0.0.1:" + metrics.getPort() + ")");

    service.close();
    service = null;
    assertThat(stateDir.resolve("services/ns")).doesNotExist();
  }

  private ProxiedService proxied() {
    return new ProxiedService(
        "ns",
        "svc",
        "127.0.0.1",
        Duration.ofSeconds(1),
        new AddressFiles(stateDir.resolve("services")),
        log::add);
  }

  private static EndpointSlice sliceTo(TestServer server) {
    return slice(
        "svc-x",
        List.of(slicePort("", server.address().getPort())),
        endpoint(server.address().getAddress().getHostAddress(), true));
  }

  private static String firstLine(InetSocketAddress address) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(5_000);
      return readLine(socket.getInputStream());
    }
  }
}
