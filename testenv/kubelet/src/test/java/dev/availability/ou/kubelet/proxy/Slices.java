package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;

/** Service ports, endpoints and EndpointSlices as the API server would hand them out, for tests. */
final class Slices {
  private Slices() {}

  static ServicePort servicePort(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withProtocol("TCP")
        .build();
  }

  static EndpointPort slicePort(String name, int port) {
    return new EndpointPortBuilder()
        .withName(name)
        .withPort(port)
        .withProtocol("TCP")
        .build();
  }

  /** An endpoint whose {@code conditions.ready} is {@code ready} (null: the field absent). */
  static Endpoint endpoint(String address, Boolean ready) {
    return new EndpointBuilder()
        .withAddresses(address)
        .withNewConditions()
        .withReady(ready)
        .endConditions()
        .build();
  }

  /** An endpoint of a pod being deleted: not ready, {@code serving} as its readiness says, terminating. */
  static Endpoint terminatingEndpoint(String address, boolean serving) {
    return new EndpointBuilder()
        .withAddresses(address)
        .withNewConditions()
        .withReady(false)
        .withServing(serving)
        .withTerminating(true)
        .endConditions()
        .build();
  }

  /** An endpoint without any {@code conditions}. */
  static Endpoint bareEndpoint(String address) {
    return new EndpointBuilder().withAddresses(address).build();
  }

  static EndpointSlice slice(String name, List<EndpointPort> ports, Endpoint... endpoints) {
    return slice(name, "IPv4", ports, endpoints);
  }

  static EndpointSlice slice(
      String name, String addressType, List<EndpointPort> ports, Endpoint... endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .addToLabels("kubernetes.io/service-name", "svc")
        .endMetadata()
        .withAddressType(addressType)
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }
}
