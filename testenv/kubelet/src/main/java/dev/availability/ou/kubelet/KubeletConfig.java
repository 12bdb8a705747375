package dev.availability.ou.kubelet;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the process kubelet needs to know, from its command line (see {@link KubeletMain}).
 *
 * @param workDir       its state: pods' directories, the API sockets, the services' addresses, its control address
 * @param nodes         the nodes it creates and runs (named {@code <prefix>-<i>}), with their zones
 * @param podNetwork    the second octet of 10.X.0.0/16, the pods' network; node i gets 10.X.i.0/24
 * @param apiServer     where the API server listens (on loopback), forwarded into every pod as 127.0.0.1:{@link #API_PORT_IN_POD}
 * @param leaseSeconds  the node leases' duration; renewed every quarter of it
 */
record KubeletConfig(
    String cluster,
    Path kubeconfig,
    Path workDir,
    Path imageTar,
    List<String> nodes,
    Map<String, String> zones,
    int podNetwork,
    InetSocketAddress apiServer,
    int leaseSeconds) {
  /** The port the API server answers on inside a pod (its certificate names 127.0.0.1). */
  static final int API_PORT_IN_POD = 6443;

  static InetSocketAddress hostPort(URI server) {
    return new InetSocketAddress(server.getHost(), server.getPort());
  }

  int nodeIndex(String node) {
    return nodes.indexOf(node);
  }

  Path podDir(String uid) {
    return workDir.resolve("pods").resolve(uid);
  }

  Path apiSocket(String node) {
    return workDir.resolve("api").resolve(node + ".sock");
  }

  Path rootfs() {
    return workDir.resolve("rootfs");
  }
}
