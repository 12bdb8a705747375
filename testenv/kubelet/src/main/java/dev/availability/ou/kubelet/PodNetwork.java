package dev.availability.ou.kubelet;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The pods' network, all inside this machine: a bridge in the root network namespace holding 10.X.0.1/16, and
 * for each pod a network namespace of its own joined to the bridge by a veth pair, its address 10.X.(node+1).N.
 * Pods reach each other, and the host (probes, the service proxy) reaches them, through the bridge; nothing is
 * routed anywhere else. A partition takes a pod's link down on the bridge side: its packets go nowhere.
 */
final class PodNetwork {
  private final int x;
  private final String bridge;
  private final Map<Integer, BitSet> used = new HashMap<>();
  private final Map<Integer, Integer> last = new HashMap<>();

  PodNetwork(int secondOctet) {
    this.x = secondOctet;
    this.bridge = "oubr" + secondOctet;
  }

  void createBridge() throws IOException, InterruptedException {
    Exec.quietly("ip", "link", "del", bridge);
    Exec.run("ip", "link", "add", bridge, "type", "bridge");
    Exec.run("ip", "addr", "add", "10." + x + ".0.1/16", "dev", bridge);
    Exec.run("ip", "link", "set", bridge, "up");
  }

  void deleteBridge() {
    Exec.quietly("ip", "link", "del", bridge);
  }

  String podCidr(int nodeIndex) {
    return "10." + x + "." + (nodeIndex + 1) + ".0/24";
  }

  /**
   * The next free address of the node after the last one given, wrapping around (as the host-local IPAM plugin does):
   * an address freed a moment ago is not given again at once, while the bridge's neighbour entries, and connections
   * still open to it from other pods, may point at the pod that had it (a new pod given its predecessor's address
   * failed its liveness probes for seconds).
   */
  synchronized String allocate(int nodeIndex) {
    BitSet taken = used.computeIfAbsent(nodeIndex, i -> new BitSet());
    int from = last.getOrDefault(nodeIndex, 1) + 1;
    int host = taken.nextClearBit(from > 254 ? 2 : from);
    if (host > 254) host = taken.nextClearBit(2);
    if (host > 254)
      throw new IllegalStateException("node " + nodeIndex + " has no pod address left");
    taken.set(host);
    last.put(nodeIndex, host);
    return "10." + x + "." + (nodeIndex + 1) + "." + host;
  }

  synchronized void release(String ip) {
    String[] o = ip.split("\\.");
    BitSet taken = used.get(Integer.parseInt(o[2]) - 1);
    if (taken != null) taken.clear(Integer.parseInt(o[3]));
  }

  static String namespace(String podUid) {
    return "ou-" + podUid.substring(0, 8);
  }

  private static String hostLink(String podUid) {
    return "ouv" + podUid.substring(0, 8);
  }

  /** A namespace with loopback and eth0 holding {@code ip}, joined to the bridge. */
  void createSandbox(String podUid, String ip) throws IOException, InterruptedException {
    String ns = namespace(podUid);
    String host = hostLink(podUid);
    String peer = "ouc" + podUid.substring(0, 8);
    deleteSandbox(podUid);
    Exec.run("ip", "netns", "add", ns);
    Exec.run("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
    Exec.run("ip", "-n", ns, "link", "set", peer, "name", "eth0");
    Exec.run("ip", "-n", ns, "addr", "add", ip + "/16", "dev", "eth0");
    Exec.run("ip", "-n", ns, "link", "set", "lo", "up");
    Exec.run("ip", "-n", ns, "link", "set", "eth0", "up");
    Exec.run("ip", "link", "set", host, "master", bridge, "up");
  }

  void deleteSandbox(String podUid) {
    Exec.quietly("ip", "link", "del", hostLink(podUid));
    Exec.quietly("ip", "netns", "del", namespace(podUid));
  }

  /** Up: the pod is on the network; down: nothing reaches it and it reaches nothing (a partition). */
  void link(String podUid, boolean up) {
    Exec.quietly("ip", "link", "set", hostLink(podUid), up ? "up" : "down");
  }
}
