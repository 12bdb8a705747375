package dev.availability.ou.kubelet.proxy;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** An address as {@code host:port} text, the host as an IP literal ({@code [v6]:port} for IPv6). */
final class HostPort {
  private HostPort() {}

  static String of(InetSocketAddress address) {
    String host = address.getAddress() == null
        ? address.getHostString()
        : address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":"
        + address.getPort();
  }
}
