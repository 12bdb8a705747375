package dev.availability.ou.testsupport;

/** The processes of a local cluster that {@code testenv/local-cluster restart} can restart. */
public enum ControlPlaneComponent {
  ETCD("etcd"),
  KUBE_APISERVER("kube-apiserver"),
  KUBE_CONTROLLER_MANAGER("kube-controller-manager"),
  KUBE_SCHEDULER("kube-scheduler"),
  /** The KWOK controller that plays every node's kubelet. */
  KWOK_CONTROLLER("kwok-controller");

  private final String processName;

  ControlPlaneComponent(String processName) {
    this.processName = processName;
  }

  /** The name the script and kwokctl use ({@code pids/<name>.pid}). */
  public String processName() {
    return processName;
  }
}
