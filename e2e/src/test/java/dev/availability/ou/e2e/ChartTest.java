package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart without a cluster: it lints, its CRDs are crds/ byte for byte, and what it renders is what the
 * operator needs: a restricted, highly available Deployment configured from values, least-privilege RBAC
 * for all namespaces or a list of them, the member-pod admission policy, metrics. (ChartRbacTest installs it
 * on the local control plane and runs the operator with its ServiceAccount.)
 */
class ChartTest {

  /** The rules the operator's code needs on the objects of its units (see the chart README for why each). */
  static final Map<String, List<String>> UNIT_RULES = new TreeMap<>(Map.ofEntries(
      Map.entry(
          "ou.availability.dev/operationalunits",
          List.of("get", "list", "watch", "patch", "update")),
      Map.entry("ou.availability.dev/operationalunits/status", List.of("get", "patch", "update")),
      Map.entry("ou.availability.dev/operationalunits/finalizers", List.of("update")),
      Map.entry("ou.availability.dev/standbypools", List.of("get", "list", "watch")),
      Map.entry("ou.availability.dev/standbypools/status", List.of("update")),
      Map.entry("ou.availability.dev/standbypools/finalizers", List.of("update")),
      Map.entry("/pods", List.of("get", "list", "watch", "create", "patch", "delete")),
      Map.entry("/persistentvolumeclaims", List.of("get", "list", "watch", "create", "delete")),
      Map.entry("/services", List.of("get", "list", "watch", "create", "patch")),
      Map.entry("discovery.k8s.io/endpointslices", List.of("list", "watch")),
      Map.entry(
          "coordination.k8s.io/leases",
          List.of("get", "list", "watch", "create", "update", "patch")),
      Map.entry("/secrets", List.of("create")),
      Map.entry("/serviceaccounts", List.of("get", "list", "watch", "create", "patch")),
      Map.entry(
          "rbac.authorization.k8s.io/roles", List.of("get", "list", "watch", "create", "patch")),
      Map.entry(
          "rbac.authorization.k8s.io/rolebindings",
          List.of("get", "list", "watch", "create", "patch")),
      Map.entry("policy/poddisruptionbudgets", List.of("get", "list", "watch", "create", "patch")),
      Map.entry(
          "networking.k8s.io/networkpolicies", List.of("get", "list", "watch", "create", "patch")),
      Map.entry("/events", List.of("create", "get", "patch"))));

  @Test
  void lintsCleanlyInStrictMode() {
    LintResult result = new Helm(Chart.dir()).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void chartCrdsAreTheCrdsOfTheRepository() throws IOException {
    Path crds = Chart.repoRoot().resolve("crds");
    Path chartCrds = Chart.dir().resolve("crds");
    List<String> names;
    try (Stream<Path> s = Files.list(crds)) {
      names = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted()
          .toList();
    }
    List<String> inChart;
    try (Stream<Path> s = Files.list(chartCrds)) {
      inChart = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).isNotEmpty();
    assertThat(inChart)
        .as("helm/ou-operator/crds holds exactly the files of crds/")
        .isEqualTo(names);
    for (String n : names) {
      assertThat(Files.readString(chartCrds.resolve(n)))
          .as("helm/ou-operator/crds/" + n + " equals crds/" + n
              + " (build/mvn -f api/pom.xml test -Dou.crd.update=true rewrites both)")
          .isEqualTo(Files.readString(crds.resolve(n)));
    }
  }

  @Test
  void theOperatorsRequestsGoAheadOfItsMembersOnABusyApiServer() {
    var schema = Chart.template("")
        .get(io.fabric8.kubernetes.api.model.flowcontrol.v1.FlowSchema.class, "ou-operator");
    assertThat(schema.getSpec().getPriorityLevelConfiguration().getName())
        .isEqualTo("workload-high");
    assertThat(schema.getSpec().getMatchingPrecedence())
        .as("ahead of the built-in service-accounts schema (9000)")
        .isLessThan(9000);
    assertThat(schema.getSpec().getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getSubjects()).singleElement().satisfies(subject -> {
        assertThat(subject.getServiceAccount().getName()).isEqualTo("ou-operator");
        assertThat(subject.getServiceAccount().getNamespace()).isEqualTo("ou-system");
      });
      assertThat(rule.getResourceRules())
          .singleElement()
          .satisfies(r -> assertThat(r.getVerbs()).containsExactly("*"));
    });
    assertThat(Chart.template("flowControl: {enabled: false}")
            .find(io.fabric8.kubernetes.api.model.flowcontrol.v1.FlowSchema.class, "ou-operator"))
        .isEmpty();
  }

  @Test
  void valuesAreDocumented() throws IOException {
    List<String> lines = Files.readAllLines(Chart.dir().resolve("values.yaml"));
    String previous = "";
    for (String line : lines) {
      if (line.matches("^[A-Za-z].*:.*"))
        assertThat(previous)
            .as("the comment above top-level value '" + line + "'")
            .startsWith("#");
      if (!line.isBlank()) previous = line.trim();
    }
    assertThat(new Helm(Chart.dir()).show().values().call())
        .contains("watchNamespaces: []", "replicaCount: 2", "leaseName: ou-operator-leader");
  }

  @Test
  void defaultsRunARestrictedHighlyAvailableOperatorForAllNamespaces() {
    Chart.Rendered r = Chart.template("");
    Deployment d = r.get(Deployment.class, "ou-operator");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("ou-system");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("ou-operator");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("ou-operator:0.1.0");
    var sc = c.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getContainerPort()).isEqualTo(8080);
      assertThat(p.getName()).isEqualTo("http-metrics");
    });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http-metrics");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");

    Map<String, EnvVar> env = env(c);
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("OU_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("OU_NETWORK_POLICY").getValue()).isEqualTo("true");
    assertThat(env.get("OU_LEADER_ELECTION_LEASE_NAME").getValue()).isEqualTo("ou-operator-leader");
    assertThat(env.get("OU_SIDECAR_IMAGE").getValue()).isEqualTo("ou-operator:0.1.0");
    assertThat(env.get("OU_SIDECAR_MEMORY_LIMIT").getValue()).isEqualTo("256Mi");
    assertThat(env)
        .doesNotContainKeys(
            "QUARKUS_OPERATOR_SDK_NAMESPACES",
            "OU_SIDECAR_COMMAND",
            "OU_SIDECAR_FSYNC",
            "OU_SIDECAR_JAVA_OPTIONS");

    assertThat(r.get(ServiceAccount.class, "ou-operator").getMetadata().getNamespace())
        .isEqualTo("ou-system");
    assertThat(rules(r.get(ClusterRole.class, "ou-operator").getRules())).isEqualTo(UNIT_RULES);
    assertBoundTo(
        r.get(ClusterRoleBinding.class, "ou-operator").getSubjects(),
        r.get(ClusterRoleBinding.class, "ou-operator").getRoleRef().getName(),
        "ou-operator");
    assertThat(rules(r.get(ClusterRole.class, "ou-operator-nodes").getRules()))
        .isEqualTo(Map.of("/nodes", List.of("list", "watch")));
    r.get(ClusterRoleBinding.class, "ou-operator-nodes");
    assertThat(r.all(Role.class))
        .extracting(x -> x.getMetadata().getName())
        .containsExactly("ou-operator-leader-election");
    Role leader = r.get(Role.class, "ou-operator-leader-election");
    assertThat(leader.getMetadata().getNamespace()).isEqualTo("ou-system");
    assertThat(leader.getRules()).anySatisfy(rule -> {
      assertThat(rule.getResourceNames()).containsExactly("ou-operator-leader");
      assertThat(rule.getVerbs()).containsExactly("get", "update", "patch");
    });
    assertThat(leader.getRules()).anySatisfy(rule -> {
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      assertThat(rule.getVerbs()).containsExactly("create"); // a create cannot be limited by name
    });

    Service metrics = r.get(Service.class, "ou-operator-metrics");
    assertThat(metrics.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    assertThat(metrics.getSpec().getSelector())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    assertThat(r.objects()).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
    assertThat(r.get(PodDisruptionBudget.class, "ou-operator")
            .getSpec()
            .getMinAvailable()
            .getIntVal())
        .isEqualTo(1);

    ValidatingAdmissionPolicy vap =
        r.get(ValidatingAdmissionPolicy.class, "ou-operator-member-pods");
    assertThat(vap.getSpec().getFailurePolicy()).isEqualTo("Fail");
    assertThat(vap.getSpec().getMatchConditions())
        .singleElement()
        .satisfies(m -> assertThat(m.getExpression()).contains("endsWith('-member')"));
    assertThat(vap.getSpec().getVariables())
        .anySatisfy(
            v -> assertThat(v.getExpression()).contains("authentication.kubernetes.io/pod-name"));
    ValidatingAdmissionPolicyBinding binding =
        r.get(ValidatingAdmissionPolicyBinding.class, "ou-operator-member-pods");
    assertThat(binding.getSpec().getPolicyName()).isEqualTo(vap.getMetadata().getName());
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
    assertThat(binding.getSpec().getMatchResources()).isNull();
    ValidatingAdmissionPolicy lease =
        r.get(ValidatingAdmissionPolicy.class, "ou-operator-member-lease");
    assertThat(lease.getSpec().getFailurePolicy()).isEqualTo("Fail");
    assertThat(lease.getSpec().getMatchConstraints().getResourceRules())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getResources()).containsExactly("leases"));
    assertThat(r.get(ValidatingAdmissionPolicyBinding.class, "ou-operator-member-lease")
            .getSpec()
            .getValidationActions())
        .containsExactly("Deny");
  }

  @Test
  void aListOfNamespacesGetsARoleInEachAndTheOperatorWatchesOnlyThose() {
    Chart.Rendered r = Chart.template("watchNamespaces: [team-a, team-b]");
    assertThat(r.all(ClusterRole.class))
        .extracting(x -> x.getMetadata().getName())
        .containsExactly("ou-operator-nodes");
    assertThat(r.all(ClusterRoleBinding.class))
        .extracting(x -> x.getMetadata().getName())
        .containsExactly("ou-operator-nodes");
    for (String ns : List.of("team-a", "team-b")) {
      Role role = r.all(Role.class).stream()
          .filter(x -> x.getMetadata().getNamespace().equals(ns))
          .findFirst()
          .orElseThrow();
      assertThat(rules(role.getRules())).isEqualTo(UNIT_RULES);
      RoleBinding b = r.all(RoleBinding.class).stream()
          .filter(x -> x.getMetadata().getNamespace().equals(ns))
          .findFirst()
          .orElseThrow();
      assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
      assertBoundTo(
          b.getSubjects(), b.getRoleRef().getName(), role.getMetadata().getName());
    }
    Role nodeLeases = r.get(Role.class, "ou-operator-node-leases");
    assertThat(nodeLeases.getMetadata().getNamespace()).isEqualTo("kube-node-lease");
    assertThat(rules(nodeLeases.getRules()))
        .isEqualTo(Map.of("coordination.k8s.io/leases", List.of("list", "watch")));
    Container c = r.get(Deployment.class, "ou-operator")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    assertThat(env(c).get("QUARKUS_OPERATOR_SDK_NAMESPACES").getValue()).isEqualTo("team-a,team-b");
    var selector = r.get(ValidatingAdmissionPolicyBinding.class, "ou-operator-member-pods")
        .getSpec()
        .getMatchResources()
        .getNamespaceSelector();
    assertThat(selector.getMatchExpressions()).singleElement().satisfies(e -> {
      assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
      assertThat(e.getValues()).containsExactly("team-a", "team-b");
    });
    assertThat(r.get(ValidatingAdmissionPolicyBinding.class, "ou-operator-member-lease")
            .getSpec()
            .getMatchResources()
            .getNamespaceSelector())
        .isEqualTo(selector);
  }

  @Test
  void optionalPartsFollowTheirValues() {
    Chart.Rendered r = Chart.template("""
        serviceMonitor: {enabled: true, labels: {release: prometheus}}
        memberPodPolicy: {enabled: false}
        networkPolicy: {enabled: false}
        sidecar: {image: registry.example/ou:1, command: [java, -jar, /x.jar], fsync: interval:50ms, javaOptions: -Xmx128m}
        replicaCount: 1
        leaderElection: {enabled: false}
        image: {tag: 0.2.0}
        """);
    GenericKubernetesResource sm = (GenericKubernetesResource) r.objects().stream()
        .filter(o -> o.getKind().equals("ServiceMonitor"))
        .findFirst()
        .orElseThrow();
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(sm.getAdditionalProperties().toString())
        .contains("port=http-metrics", "path=/metrics");
    assertThat(r.all(ValidatingAdmissionPolicy.class)).isEmpty();
    assertThat(r.all(PodDisruptionBudget.class)).isEmpty();
    assertThat(r.all(Role.class)).isEmpty(); // no leader election, no leader-election Role
    Container c = r.get(Deployment.class, "ou-operator")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    assertThat(c.getImage()).isEqualTo("ou-operator:0.2.0");
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("OU_SIDECAR_IMAGE").getValue()).isEqualTo("registry.example/ou:1");
    assertThat(env.get("OU_SIDECAR_COMMAND").getValue()).isEqualTo("java,-jar,/x.jar");
    assertThat(env.get("OU_SIDECAR_FSYNC").getValue()).isEqualTo("interval:50ms");
    assertThat(env.get("OU_SIDECAR_JAVA_OPTIONS").getValue()).isEqualTo("-Xmx128m");
    assertThat(env.get("OU_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("false");
    assertThat(env.get("OU_NETWORK_POLICY").getValue()).isEqualTo("false");
  }

  @Test
  void acceptsNamespacesAsACommaSeparatedString() {
    Chart.Rendered r = Chart.template("watchNamespaces: team-a,team-b");
    assertThat(r.all(Role.class))
        .extracting(x -> x.getMetadata().getNamespace())
        .contains("team-a", "team-b");
  }

  @Test
  void refusesSeveralReplicasWithoutLeaderElection() {
    assertThatThrownBy(() -> Chart.template("leaderElection: {enabled: false}"))
        .hasMessageContaining("replicaCount > 1 needs leaderElection.enabled");
  }

  private static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  /** "group/resource" -> verbs, for rules without resource names. */
  static Map<String, List<String>> rules(List<PolicyRule> rules) {
    Map<String, List<String>> out = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String g : rule.getApiGroups()) {
        for (String res : rule.getResources()) out.put(g + "/" + res, rule.getVerbs());
      }
    }
    return out;
  }

  private static void assertBoundTo(
      List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects, String roleRef, String role) {
    assertThat(roleRef).isEqualTo(role);
    assertThat(subjects).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo("ou-operator");
      assertThat(s.getNamespace()).isEqualTo("ou-system");
    });
  }
}
