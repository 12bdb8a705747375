package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.memberapi.ContractJson;
import dev.availability.ou.testsupport.ClusterFaults;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart on the real control plane proves its RBAC: it is installed with Helm, and the operator, run
 * locally with a token of the chart's ServiceAccount (and nothing else), does its whole job — leader
 * election in the release namespace, a unit made and Protected, a failover completed, events recorded,
 * the unit's objects removed with it. The member-pod admission policy lets a member sidecar's identity
 * write its own pod's report and nothing else. Both RBAC shapes are covered: all namespaces, and a list.
 */
@KubernetesCluster
class ChartRbacTest {
  static final String LEASE = "ou-operator-leader";
  static final String BUDGET = "10s";

  @Test
  void operatorWithTheChartsServiceAccountDoesItsWholeJob(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster, ClusterFaults faults) {
    Path repo = cluster.repoRoot();
    boolean crdBefore = crdInstalled(client);
    String release = "rbac-" + suffix(ns);
    try (InstalledChart chart =
        InstalledChart.install(client, cluster.kubeconfig(), release, ns.name() + "-sys", "")) {
      if (!crdBefore)
        assertThat(crdInstalled(client)).as("the chart installed the CRD").isTrue();
      Units.installCrd(
          client, repo); // the current schema, should an older one be left from an earlier run
      String token = chart.token(chart.namespace, chart.operatorServiceAccount(), null);
      try (KubernetesClient asOperator = chart.clientFor(token)) {
        KubernetesClientException e = catchThrowableOfType(
            KubernetesClientException.class,
            () -> asOperator.secrets().inNamespace("kube-system").list());
        assertThat(e).as("the chart's ServiceAccount may not read secrets").isNotNull();
        assertThat(e.getCode()).isEqualTo(403);
        poolsReadAndStatusWritten(client, asOperator, ns.name());
      }
      Path kubeconfig = chart.kubeconfigFor("operator", token);
      Units units = new Units(client, ns.name());
      try (SidecarDoubles doubles = new SidecarDoubles(client, ns.name());
          OperatorProcess op = OperatorProcess.start(
              repo,
              kubeconfig,
              "chart-rbac-" + ns.name(),
              LEASE,
              Map.of("OU_LEADER_ELECTION_LEASE_NAMESPACE", chart.namespace))) {
        await("the operator leads through the Lease in " + chart.namespace)
            .atMost(Duration.ofSeconds(60))
            .until(() -> op.isLeader() && leaseHolder(client, chart.namespace) != null);

        String unit = "chart-kv";
        units.create(Units.sample(repo, unit, BUDGET));
        awaitProtected(client, units, doubles, unit);
        String[] made = {
          "Service " + unit,
          "Secret " + ContractKeys.peerSecretName(unit),
          "ServiceAccount " + unit + "-member",
          "Role " + unit + "-member",
          "RoleBinding " + unit + "-member",
          "PodDisruptionBudget " + unit,
          "NetworkPolicy " + unit + "-replication",
          "Lease " + ContractKeys.primaryLeaseName(unit)
        };
        assertThat(objectsOf(client, ns.name(), unit)).containsExactlyInAnyOrder(made);

        String primary = units.primary(unit);
        String standby = units.standby(unit);
        // CrashLoopBackOff, not a single crash: the former primary is deleted and a standby created
        // (a single
        // app crash keeps the former pod as the standby), so the chart's rules are proven for both.
        faults.setContainerCrashLoopBackOff(ns.name(), primary, "kvstore");
        await("failover of " + unit + " completed")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> units.failovers(unit) == 1
                && units.phase(unit) == UnitPhase.Protected
                && units.standby(unit) != null
                && units.nodeOf(units.standby(unit)) != null);
        assertThat(units.primary(unit)).isEqualTo(standby);
        assertThat(units.endpointPods(unit)).isEqualTo(Set.of(standby));
        await("events recorded")
            .atMost(Duration.ofSeconds(15))
            .until(() -> units
                .eventReasons(unit)
                .containsAll(List.of(
                    "MembersCreated",
                    "FailoverStarted",
                    "PrimaryFenced",
                    "StandbyPromoted",
                    "TrafficSwitched",
                    "FormerPrimaryDeleted",
                    "StandbyScheduled",
                    "FailoverCompleted")));

        memberIdentityWritesOnlyItsOwnReport(
            client, chart, ns.name(), unit, units.primary(unit), units.standby(unit));
        onlyThePrimaryMembersIdentityRenewsTheLeaseAndChangesNothingElse(
            client, chart, ns.name(), unit, units.primary(unit), units.standby(unit));

        units.delete(unit);
        await("the unit and everything it made are gone")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> units.get(unit) == null
                && units.memberPods(unit).isEmpty()
                && objectsOf(client, ns.name(), unit).isEmpty());
        assertThat(op.log()).as("the operator's log").doesNotContainIgnoringCase("forbidden");
      }
    }
  }

  @Test
  void withAListOfNamespacesTheOperatorManagesUnitsThereOnly(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster) {
    Path repo = cluster.repoRoot();
    String other = ns.name() + "-other";
    String release = "nsrbac-" + suffix(ns);
    client
        .namespaces()
        .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
            .withNewMetadata()
            .withName(other)
            .endMetadata()
            .build())
        .create();
    try (InstalledChart chart = InstalledChart.install(
        client,
        cluster.kubeconfig(),
        release,
        ns.name() + "-sys2",
        "watchNamespaces: [" + ns.name() + "]\nreplicaCount: 1\n")) {
      Units.installCrd(client, repo);
      Path kubeconfig = chart.kubeconfigFor(
          "operator", chart.token(chart.namespace, chart.operatorServiceAccount(), null));
      Units units = new Units(client, ns.name());
      Units elsewhere = new Units(client, other);
      try (SidecarDoubles doubles = new SidecarDoubles(client, ns.name());
          OperatorProcess op = OperatorProcess.start(
              repo,
              kubeconfig,
              "chart-nsrbac-" + ns.name(),
              LEASE,
              Map.of(
                  "OU_LEADER_ELECTION_LEASE_NAMESPACE",
                  chart.namespace,
                  "QUARKUS_OPERATOR_SDK_NAMESPACES",
                  ns.name()))) {
        await("the operator leads").atMost(Duration.ofSeconds(60)).until(op::isLeader);
        elsewhere.create(Units.sample(repo, "not-mine", BUDGET));
        units.create(Units.sample(repo, "ns-kv", BUDGET));
        awaitProtected(client, units, doubles, "ns-kv");
        assertThat(units.eventReasons("ns-kv")).contains("MembersCreated");
        assertThat(elsewhere.phase("not-mine"))
            .as("a unit outside the watched namespaces is left alone")
            .isNull();
        assertThat(elsewhere.eventReasons("not-mine")).isEmpty();
        assertThat(elsewhere.memberPods("not-mine")).isEmpty();
        units.delete("ns-kv");
        await("unit ns-kv gone")
            .atMost(Duration.ofSeconds(60))
            .until(() -> units.get("ns-kv") == null && units.memberPods("ns-kv").isEmpty());
        assertThat(op.log()).as("the operator's log").doesNotContainIgnoringCase("forbidden");
      }
    } finally {
      // The unit goes first (no operator put a finalizer on it), so no later all-namespaces
      // operator meets it in a namespace that takes its time to terminate.
      new Units(client, other).delete("not-mine");
      await("unit not-mine gone")
          .atMost(Duration.ofSeconds(30))
          .until(() -> new Units(client, other).get("not-mine") == null);
      client.namespaces().withName(other).delete();
    }
  }

  /**
   * A token of the unit's member ServiceAccount bound to pod A (as the kubelet gives its sidecar) may write
   * A's report annotation; RBAC already keeps it from deleting pods, and the chart's admission policy keeps
   * it from pod B, from labels, from the operator's assignment annotation and from the spec.
   */
  private static void memberIdentityWritesOnlyItsOwnReport(
      KubernetesClient client, InstalledChart chart, String ns, String unit, String a, String b) {
    Pod podA = client.pods().inNamespace(ns).withName(a).get();
    String member = unit + "-member";
    assertThat(podA.getSpec().getServiceAccountName()).isEqualTo(member);
    try (KubernetesClient sidecarA = chart.clientFor(chart.token(ns, member, podA));
        KubernetesClient unbound = chart.clientFor(chart.token(ns, member, null))) {
      MemberReport current = ContractJson.report(
          podA.getMetadata().getAnnotations().get(ContractKeys.REPORT_ANNOTATION));
      MemberReport fresher = MemberReport.builder()
          .role(current.role())
          .epoch(current.epoch())
          .lastDurableSeq(current.lastDurableSeq())
          .lag(current.lag())
          .inSync(current.inSync())
          .peerLost(current.peerLost())
          .peerHeartbeatAgeMillis(current.peerHeartbeatAgeMillis())
          .appHealthy(current.appHealthy())
          .replicationEndpoint(current.replicationEndpoint())
          .reportedAtMillis(System.currentTimeMillis())
          .build();
      Pod patched = patch(
          sidecarA,
          ns,
          a,
          annotation(ContractKeys.REPORT_ANNOTATION, ContractJson.toJson(fresher)));
      assertThat(patched.getMetadata().getAnnotations().get(ContractKeys.REPORT_ANNOTATION))
          .isEqualTo(ContractJson.toJson(fresher));

      assertRefused(
          () -> patch(
              sidecarA,
              ns,
              b,
              annotation(ContractKeys.REPORT_ANNOTATION, ContractJson.toJson(fresher))),
          "may update only its own pod " + a);
      assertRefused(
          () -> patch(
              sidecarA,
              ns,
              a,
              "{\"metadata\":{\"labels\":{\"" + ContractKeys.ROLE_LABEL + "\":\"standby\"}}}"),
          "labels");
      assertRefused(
          () -> patch(sidecarA, ns, a, annotation(ContractKeys.ASSIGNMENT_ANNOTATION, "{}")),
          "only its own report annotation");
      assertRefused(
          () -> patch(sidecarA, ns, a, annotation("example.com/other", "x")),
          "only its own report annotation");
      // A pool's per-unit reports are a pool pod's alone: a dedicated member's pod carries no pool
      // label.
      assertRefused(
          () -> patch(sidecarA, ns, a, annotation(ContractKeys.reportAnnotation(unit), "{}")),
          "only its own report annotation");
      assertRefused(
          () -> patch(sidecarA, ns, a, "{\"spec\":{\"activeDeadlineSeconds\":86400}}"), "spec");
      assertRefused(
          () -> patch(
              unbound,
              ns,
              a,
              annotation(ContractKeys.REPORT_ANNOTATION, ContractJson.toJson(fresher))),
          "bound to no pod");
      KubernetesClientException delete = catchThrowableOfType(
          KubernetesClientException.class,
          () -> sidecarA.pods().inNamespace(ns).withName(b).withGracePeriod(0).delete());
      assertThat(delete).as("RBAC: a member may not delete pods").isNotNull();
      assertThat(delete.getCode()).isEqualTo(403);
    }
  }

  /**
   * The unit's Lease may be renewed by a member identity only while the operator has handed it to that member (its
   * holder, the assigned primary), and only its renewTime: the standby, or a token bound to no pod, cannot take it
   * or renew it, and the holder cannot hand it on, stretch it or change its epoch.
   */
  private static void onlyThePrimaryMembersIdentityRenewsTheLeaseAndChangesNothingElse(
      KubernetesClient client,
      InstalledChart chart,
      String ns,
      String unit,
      String primary,
      String standby) {
    String member = unit + "-member";
    String lease = ContractKeys.primaryLeaseName(unit);
    try (KubernetesClient asPrimary = chart.clientFor(chart.token(
            ns, member, client.pods().inNamespace(ns).withName(primary).get()));
        KubernetesClient asStandby = chart.clientFor(chart.token(
            ns, member, client.pods().inNamespace(ns).withName(standby).get()));
        KubernetesClient unbound = chart.clientFor(chart.token(ns, member, null))) {
      Lease renewed = updateLease(
          asPrimary, ns, lease, l -> l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC)));
      assertThat(renewed.getSpec().getHolderIdentity()).isEqualTo(primary);

      assertLeaseRefused(
          () -> updateLease(
              asStandby,
              ns,
              lease,
              l -> l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC))),
          "only its holder " + primary);
      assertLeaseRefused(
          () -> updateLease(asStandby, ns, lease, l -> l.getSpec().setHolderIdentity(standby)),
          "only its holder " + primary);
      assertLeaseRefused(
          () -> updateLease(
              unbound, ns, lease, l -> l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC))),
          "bound to no pod");
      assertLeaseRefused(
          () -> updateLease(asPrimary, ns, lease, l -> l.getSpec().setHolderIdentity(standby)),
          "only its renewTime");
      assertLeaseRefused(
          () -> updateLease(asPrimary, ns, lease, l -> l.getSpec().setLeaseDurationSeconds(3600)),
          "only its renewTime");
      assertLeaseRefused(
          () -> updateLease(
              asPrimary,
              ns,
              lease,
              l -> l.getMetadata().getAnnotations().put(ContractKeys.LEASE_EPOCH_ANNOTATION, "99")),
          "only its renewTime");
    }
  }

  /** Read, change, update as {@code as}; again when a concurrent renewal won the race (409). */
  private static Lease updateLease(
      KubernetesClient as, String ns, String name, java.util.function.Consumer<Lease> change) {
    for (int attempt = 1; ; attempt++) {
      Lease l = as.leases().inNamespace(ns).withName(name).get();
      change.accept(l);
      try {
        return as.leases().inNamespace(ns).resource(l).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) throw e;
      }
    }
  }

  private static void assertLeaseRefused(Runnable write, String because) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, write::run);
    assertThat(e).as("refused because of " + because).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isIn(403, 422);
    assertThat(e.getMessage()).contains("member-lease").contains(because);
  }

  private static Pod patch(KubernetesClient as, String ns, String pod, String mergePatch) {
    return as.pods()
        .inNamespace(ns)
        .withName(pod)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static String annotation(String key, String value) {
    return "{\"metadata\":{\"annotations\":{\"" + key + "\":\""
        + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}}";
  }

  private static void assertRefused(Runnable write, String because) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, write::run);
    assertThat(e).as("refused because of " + because).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isIn(403, 422);
    assertThat(e.getMessage()).contains("member-pods").contains(because);
  }

  private static void awaitProtected(
      KubernetesClient client, Units units, SidecarDoubles doubles, String unit) {
    await("unit " + unit + " Protected")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> units.phase(unit) == UnitPhase.Protected
            && units.standby(unit) != null
            && doubles.has(units.primary(unit))
            && doubles.has(units.standby(unit))
            && leaseRenewedBy(client, units, unit));
  }

  private static boolean leaseRenewedBy(KubernetesClient client, Units units, String unit) {
    String primary = units.primary(unit);
    OperationalUnit u = units.get(unit);
    var lease = client
        .leases()
        .inNamespace(u.getMetadata().getNamespace())
        .withName(ContractKeys.primaryLeaseName(unit))
        .get();
    return lease != null
        && primary != null
        && primary.equals(lease.getSpec().getHolderIdentity())
        && lease.getSpec().getRenewTime() != null;
  }

  /** The supporting objects of {@code unit} (members excluded) that exist now, as "Kind name". */
  private static List<String> objectsOf(KubernetesClient client, String ns, String unit) {
    var l = ContractKeys.UNIT_LABEL;
    List<String> out = new java.util.ArrayList<>();
    client
        .services()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("Service " + o.getMetadata().getName()));
    client
        .secrets()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("Secret " + o.getMetadata().getName()));
    client
        .serviceAccounts()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("ServiceAccount " + o.getMetadata().getName()));
    client
        .rbac()
        .roles()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("Role " + o.getMetadata().getName()));
    client
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("RoleBinding " + o.getMetadata().getName()));
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("PodDisruptionBudget " + o.getMetadata().getName()));
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("NetworkPolicy " + o.getMetadata().getName()));
    client
        .leases()
        .inNamespace(ns)
        .withLabel(l, unit)
        .list()
        .getItems()
        .forEach(o -> out.add("Lease " + o.getMetadata().getName()));
    return out;
  }

  private static String leaseHolder(KubernetesClient client, String ns) {
    var lease = client.leases().inNamespace(ns).withName(LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** The chart lets the operator read standby pools and write their status (and not their spec). */
  private static void poolsReadAndStatusWritten(
      KubernetesClient admin, KubernetesClient asOperator, String namespace) {
    StandbyPool pool = new StandbyPool();
    pool.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName("rbac-pool")
        .build());
    admin.resources(StandbyPool.class).inNamespace(namespace).resource(pool).create();
    var pools = asOperator.resources(StandbyPool.class).inNamespace(namespace);
    StandbyPool read = pools.withName("rbac-pool").get();
    assertThat(pools.list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .contains("rbac-pool");
    read.getStatus().setCapacity(read.getSpec().maxUnits());
    assertThat(pools.resource(read).updateStatus().getStatus().getCapacity()).isEqualTo(8);
    read.getSpec().setMaxUnits(2);
    KubernetesClientException e = catchThrowableOfType(
        KubernetesClientException.class, () -> pools.resource(read).update());
    assertThat(e).as("the operator does not write a pool's spec").isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    admin
        .resources(StandbyPool.class)
        .inNamespace(namespace)
        .withName("rbac-pool")
        .delete();
  }

  private static boolean crdInstalled(KubernetesClient client) {
    return client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(OperationalUnit.CRD_NAME)
            .get()
        != null;
  }

  private static String suffix(TestNamespace ns) {
    return ns.name().substring(ns.name().lastIndexOf('-') + 1);
  }
}
