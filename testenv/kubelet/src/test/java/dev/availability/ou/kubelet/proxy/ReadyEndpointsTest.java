package dev.availability.ou.kubelet.proxy;

import static dev.availability.ou.kubelet.proxy.Slices.bareEndpoint;
import static dev.availability.ou.kubelet.proxy.Slices.endpoint;
import static dev.availability.ou.kubelet.proxy.Slices.servicePort;
import static dev.availability.ou.kubelet.proxy.Slices.slice;
import static dev.availability.ou.kubelet.proxy.Slices.slicePort;
import static dev.availability.ou.kubelet.proxy.Slices.terminatingEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyEndpointsTest {

  @Test
  void readyAndAbsentConditionsCountNotReadyDoesNot() {
    EndpointSlice slice = slice(
        "svc-a",
        List.of(slicePort("http", 8080)),
        endpoint("10.1.0.1", true),
        endpoint("10.1.0.2", false),
        endpoint("10.1.0.3", null),
        bareEndpoint("10.1.0.4"));

    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(slice))))
        .containsExactly("10.1.0.1:8080", "10.1.0.3:8080", "10.1.0.4:8080");
  }

  @Test
  void terminatingServingEndpointsCountOnlyWhenNothingIsReady() {
    EndpointSlice draining = slice(
        "svc-a",
        List.of(slicePort("http", 8080)),
        terminatingEndpoint("10.1.0.1", true),
        terminatingEndpoint("10.1.0.2", false),
        endpoint("10.1.0.3", false));
    EndpointSlice readyToo =
        slice("svc-b", List.of(slicePort("http", 8080)), endpoint("10.1.0.4", true));

    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(draining))))
        .as("no ready endpoint: the serving one of a pod being deleted keeps the traffic")
        .containsExactly("10.1.0.1:8080");
    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(draining, readyToo))))
        .as("a ready endpoint wins over every terminating one")
        .containsExactly("10.1.0.4:8080");
  }

  @Test
  void namedServicePortTakesTheSlicePortOfTheSameName() {
    EndpointSlice slice = slice(
        "svc-a",
        List.of(slicePort("http", 8080), slicePort("metrics", 9090)),
        endpoint("10.1.0.1", true));

    assertThat(texts(ReadyEndpoints.of(servicePort("metrics", 90), List.of(slice))))
        .containsExactly("10.1.0.1:9090");
    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(slice))))
        .containsExactly("10.1.0.1:8080");
  }

  @Test
  void namedServicePortGetsNothingFromSlicesWithoutThatName() {
    EndpointSlice slice =
        slice("svc-a", List.of(slicePort("other", 8080)), endpoint("10.1.0.1", true));

    assertThat(ReadyEndpoints.of(servicePort("http", 80), List.of(slice))).isEmpty();
  }

  @Test
  void unnamedServicePortTakesTheUnnamedOrOnlySlicePort() {
    EndpointSlice emptyName =
        slice("svc-a", List.of(slicePort("", 8080)), endpoint("10.1.0.1", true));
    EndpointSlice nullName =
        slice("svc-b", List.of(slicePort(null, 8081)), endpoint("10.1.0.2", true));
    EndpointSlice onlyPort =
        slice("svc-c", List.of(slicePort("web", 8082)), endpoint("10.1.0.3", true));
    EndpointSlice twoNamed = slice(
        "svc-d", List.of(slicePort("web", 8083), slicePort("x", 8084)), endpoint("10.1.0.4", true));

    assertThat(texts(ReadyEndpoints.of(
            servicePort(null, 80), List.of(emptyName, nullName, onlyPort, twoNamed))))
        .containsExactly("10.1.0.1:8080", "10.1.0.2:8081", "10.1.0.3:8082");
    assertThat(texts(ReadyEndpoints.of(servicePort("", 80), List.of(emptyName))))
        .containsExactly("10.1.0.1:8080");
  }

  @Test
  void severalSlicesMergeInNameOrderWithEachSlicesOwnPortAndNoDuplicates() {
    EndpointSlice second = slice(
        "svc-b",
        List.of(slicePort("http", 8081)),
        endpoint("10.1.0.3", true),
        endpoint("10.1.0.1", true));
    EndpointSlice first = slice(
        "svc-a",
        List.of(slicePort("http", 8080)),
        endpoint("10.1.0.1", true),
        endpoint("10.1.0.2", false));
    EndpointSlice moving =
        slice("svc-c", List.of(slicePort("http", 8080)), endpoint("10.1.0.1", true));

    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(second, moving, first))))
        .containsExactly("10.1.0.1:8080", "10.1.0.3:8081", "10.1.0.1:8081");
  }

  @Test
  void noSlicesNoEndpoints() {
    assertThat(ReadyEndpoints.of(servicePort("http", 80), List.of())).isEmpty();
    assertThat(ReadyEndpoints.of(
            servicePort("http", 80), List.of(slice("svc-a", List.of(slicePort("http", 8080))))))
        .isEmpty();
  }

  @Test
  void nonTcpPortsPortlessSlicesAndFqdnSlicesContributeNothing() {
    EndpointSlice udp = slice(
        "svc-a",
        List.of(new EndpointPortBuilder()
            .withName("http")
            .withPort(8080)
            .withProtocol("UDP")
            .build()),
        endpoint("10.1.0.1", true));
    EndpointSlice noPorts = slice("svc-b", List.of(), endpoint("10.1.0.2", true));
    EndpointSlice fqdn =
        slice("svc-c", "FQDN", List.of(slicePort("http", 8080)), endpoint("example.com", true));
    EndpointSlice nameInIpSlice =
        slice("svc-d", List.of(slicePort("http", 8080)), endpoint("localhost", true));

    assertThat(
            ReadyEndpoints.of(servicePort("http", 80), List.of(udp, noPorts, fqdn, nameInIpSlice)))
        .isEmpty();
  }

  @Test
  void ipv6AddressesAreKept() {
    EndpointSlice slice =
        slice("svc-a", "IPv6", List.of(slicePort("http", 8080)), endpoint("fd00::1", true));

    assertThat(texts(ReadyEndpoints.of(servicePort("http", 80), List.of(slice))))
        .containsExactly("[fd00:0:0:0:0:0:0:1]:8080");
  }

  private static List<String> texts(List<InetSocketAddress> addresses) {
    return addresses.stream().map(HostPort::of).toList();
  }
}
