package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;

/**
 * A Service port as the proxy keys it: its name (empty when unnamed) and its number. A listener lives as long as its
 * port keeps both; a port renamed or renumbered is another port.
 */
record PortId(String name, int number) {

  static PortId of(ServicePort port) {
    return new PortId(port.getName() == null ? "" : port.getName(), port.getPort());
  }

  /** The names its address is found under: the number, and the name too when it has one. */
  List<String> fileNames() {
    return name.isEmpty() ? List.of(String.valueOf(number)) : List.of(name, String.valueOf(number));
  }

  /** Whether {@code nameOrNumber} names this port (its name, or its number in decimal). */
  boolean matches(String nameOrNumber) {
    return fileNames().contains(nameOrNumber);
  }

  @Override
  public String toString() {
    return name.isEmpty() ? String.valueOf(number) : name + "(" + number + ")";
  }
}
