package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.List;

/**
 * Which ports of a Service get a listener: its TCP ports, when it has a cluster IP. Headless Services
 * ({@code clusterIP: None}) and {@code ExternalName} Services have none, as kube-proxy gives them no rules.
 */
final class ProxiedPorts {
  private ProxiedPorts() {}

  static List<ServicePort> of(Service service) {
    ServiceSpec spec = service.getSpec();
    if (spec == null || spec.getPorts() == null || "ExternalName".equals(spec.getType())) {
      return List.of();
    }
    // Services without a selector lead where their owner says: default/kubernetes to the API
    // server's advertised (non-loopback) address. Pods reach the API server through their node's
    // forwarder; nothing here dials those.
    if (spec.getSelector() == null || spec.getSelector().isEmpty()) {
      return List.of();
    }
    String clusterIp = spec.getClusterIP();
    if (clusterIp == null || clusterIp.isBlank() || "None".equals(clusterIp)) {
      return List.of();
    }
    return spec.getPorts().stream()
        .filter(
            p -> p.getPort() != null && (p.getProtocol() == null || "TCP".equals(p.getProtocol())))
        .toList();
  }
}
