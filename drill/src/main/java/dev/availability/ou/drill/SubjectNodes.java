package dev.availability.ou.drill;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Nodes of its own for one subject of a benchmark, so that a node killed for one subject's sample fails over that
 * subject alone. Every node of the test cluster shares this machine's cores: two units whose primaries shared the
 * killed node failed over together, and both new standbys' JVMs started on the same two cores (bench/failover's
 * node kill: 3.0-3.1 s for a Required unit, against 2.2 s for the drill's unit alone). Pure.
 */
record SubjectNodes(List<String> names) {
  /** The cluster's nodes {@code ou-node-FROM} to {@code ou-node-(FROM+COUNT-1)}. */
  static SubjectNodes of(int from, int count) {
    return new SubjectNodes(
        IntStream.range(from, from + count).mapToObj(i -> "ou-node-" + i).toList());
  }

  /**
   * Keeps {@code spec}'s pods on these nodes (a required node affinity by name, one term per node: a node field
   * selector takes one value, and terms are ORed); other affinity stays.
   */
  void confine(PodSpec spec) {
    Affinity a = spec.getAffinity() == null ? new Affinity() : spec.getAffinity();
    List<NodeSelectorTerm> here = names.stream()
        .map(node -> new NodeSelectorTerm(
            List.of(), List.of(new NodeSelectorRequirement("metadata.name", "In", List.of(node)))))
        .toList();
    NodeAffinity n = new NodeAffinity();
    n.setRequiredDuringSchedulingIgnoredDuringExecution(new NodeSelector(here));
    a.setNodeAffinity(n);
    spec.setAffinity(a);
  }
}
