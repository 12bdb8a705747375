package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Where a new connection to one Service port may go, as kube-proxy computes it: a pure function of the Service port and
 * the Service's EndpointSlices (the caller passes only the slices labelled {@code kubernetes.io/service-name} with that
 * Service, from its namespace).
 *
 * <p>An endpoint counts when its {@code conditions.ready} is not {@code false} (absent means ready, as the API says).
 * When none does, the endpoints that are terminating but still serving ({@code serving} true, {@code terminating} true)
 * count instead, as kube-proxy has done for every traffic policy since Kubernetes 1.28 (KEP-1669, "proxy terminating
 * endpoints"): a pod being deleted keeps its traffic while its readiness probe passes and nothing else is ready.
 * Its port is the slice's TCP port whose name equals the Service port's name (both may be empty); for an unnamed Service
 * port, a slice's only port also counts. Slices without such a port, or of address type {@code FQDN}, contribute
 * nothing. The result is ordered by slice name, then as listed, without duplicates (an endpoint may sit in two slices
 * while the controller moves it).
 */
final class ReadyEndpoints {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private ReadyEndpoints() {}

  static List<InetSocketAddress> of(ServicePort port, Collection<EndpointSlice> slices) {
    List<InetSocketAddress> ready = matching(port, slices, ReadyEndpoints::isReady);
    return ready.isEmpty() ? matching(port, slices, ReadyEndpoints::isServingTerminating) : ready;
  }

  private static List<InetSocketAddress> matching(
      ServicePort port, Collection<EndpointSlice> slices, Predicate<Endpoint> counts) {
    String name = nameOf(port.getName());
    Set<InetSocketAddress> ready = new LinkedHashSet<>();
    slices.stream().sorted(Comparator.comparing(ReadyEndpoints::sliceName)).forEach(slice -> {
      Integer target = targetPort(name, slice);
      if (target == null || "FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
        return;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        if (counts.test(endpoint) && endpoint.getAddresses() != null) {
          for (String address : endpoint.getAddresses()) {
            InetAddress ip = ipLiteral(address);
            if (ip != null) {
              ready.add(new InetSocketAddress(ip, target));
            }
          }
        }
      }
    });
    return List.copyOf(ready);
  }

  private static Integer targetPort(String name, EndpointSlice slice) {
    List<EndpointPort> ports = slice.getPorts();
    if (ports == null) {
      return null;
    }
    for (EndpointPort p : ports) {
      if (name.equals(nameOf(p.getName())) && usable(p)) {
        return p.getPort();
      }
    }
    if (name.isEmpty() && ports.size() == 1 && usable(ports.get(0))) {
      return ports.get(0).getPort();
    }
    return null;
  }

  private static boolean usable(EndpointPort p) {
    return p.getPort() != null && (p.getProtocol() == null || "TCP".equals(p.getProtocol()));
  }

  private static boolean isReady(Endpoint endpoint) {
    return endpoint.getConditions() == null
        || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
  }

  private static boolean isServingTerminating(Endpoint endpoint) {
    return endpoint.getConditions() != null
        && Boolean.TRUE.equals(endpoint.getConditions().getServing())
        && Boolean.TRUE.equals(endpoint.getConditions().getTerminating());
  }

  /** The address when it is an IP literal (never a name: nothing here may look up DNS). */
  private static InetAddress ipLiteral(String address) {
    if (address == null || !(IPV4.matcher(address).matches() || address.contains(":"))) {
      return null;
    }
    try {
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String nameOf(String name) {
    return Objects.requireNonNullElse(name, "");
  }

  private static String sliceName(EndpointSlice slice) {
    return slice.getMetadata() == null
        ? ""
        : Objects.requireNonNullElse(slice.getMetadata().getName(), "");
  }
}
