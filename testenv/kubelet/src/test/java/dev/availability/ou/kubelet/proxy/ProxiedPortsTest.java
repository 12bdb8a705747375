package dev.availability.ou.kubelet.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import org.junit.jupiter.api.Test;

class ProxiedPortsTest {

  @Test
  void clusterIpServiceGetsItsTcpPorts() {
    Service service = service(
        "ClusterIP",
        "10.96.0.10",
        port("http", 80, "TCP"),
        port("dns", 53, "UDP"),
        port("grpc", 9000, null));

    assertThat(ProxiedPorts.of(service))
        .extracting(ServicePort::getName)
        .containsExactly("http", "grpc");
  }

  @Test
  void headlessExternalNameAndIplessServicesGetNone() {
    assertThat(ProxiedPorts.of(service("ClusterIP", "None", port("http", 80, "TCP"))))
        .isEmpty();
    assertThat(ProxiedPorts.of(service("ExternalName", null, port("http", 80, "TCP"))))
        .isEmpty();
    assertThat(ProxiedPorts.of(service("ClusterIP", "", port("http", 80, "TCP"))))
        .isEmpty();
    assertThat(ProxiedPorts.of(
            new ServiceBuilder().withNewMetadata().withName("s").endMetadata().build()))
        .isEmpty();
  }

  @Test
  void aServiceWithoutSelectorGetsNoneLikeTheApiServersOwn() {
    Service kubernetes = new ServiceBuilder()
        .withNewMetadata()
        .withName("kubernetes")
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP("10.0.0.1")
        .withPorts(port("https", 443, "TCP"))
        .endSpec()
        .build();
    assertThat(ProxiedPorts.of(kubernetes)).isEmpty();
  }

  @Test
  void portIdNamesItsFilesAndMatchesNameOrNumber() {
    PortId named = PortId.of(port("http", 80, "TCP"));
    PortId unnamed = PortId.of(port(null, 8080, "TCP"));

    assertThat(named.fileNames()).containsExactly("http", "80");
    assertThat(unnamed.fileNames()).containsExactly("8080");
    assertThat(named.matches("http")).isTrue();
    assertThat(named.matches("80")).isTrue();
    assertThat(named.matches("8080")).isFalse();
    assertThat(unnamed.matches("")).isFalse();
  }

  private static Service service(String type, String clusterIp, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("s")
        .withNamespace("ns")
        .endMetadata()
        .withNewSpec()
        .withType(type)
        .withClusterIP(clusterIp)
        .withSelector(java.util.Map.of("app", "s"))
        .withPorts(ports)
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int number, String protocol) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(number)
        .withProtocol(protocol)
        .build();
  }
}
