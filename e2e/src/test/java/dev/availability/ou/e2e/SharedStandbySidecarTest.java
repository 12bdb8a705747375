package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.SidecarStatus;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ContractJson;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared standby's sidecar under Kubernetes (docs/pools.md "The shared pod"), for real: the pooled sidecar and a
 * dedicated primary run as sidecar processes on loopback addresses, authenticated to the real API server as pods
 * are (a ServiceAccount token), and follow what is written on the pod objects, as the operator would write it.
 * Each unit on the shared pod follows its own assignment annotation and writes its own report; unit a's dedicated
 * primary streams to its replica there; when a is assigned Primary on the shared pod (a takeover), the shared pod
 * renews a's Lease and serves what a's old primary acknowledged, while unit b stays a standby; when b's assignment
 * and label are removed, b's replica, its data and its report go. Unit b's name is the longest a unit may have.
 */
@KubernetesCluster
class SharedStandbySidecarTest {
  static final String SHARED_POD = "kv-standby-0";
  static final String A = "a";
  static final String A_PRIMARY_POD = "a-0";
  /** 63 characters: every key and Lease name the pool derives from it must still be valid. */
  static final String B = "b" + "-0123456789".repeat(5) + "abcdefg";

  static final String SERVICE_ACCOUNT = "kv-pool-member";

  @TempDir
  Path dir;

  /** The sidecars' logs, kept after the run (the temporary directory is gone when a failure is reported). */
  static final Path LOGS = Path.of("target", "shared-standby-sidecar-logs");

  final String net = "127." + (100 + ThreadLocalRandom.current().nextInt(100)) + "."
      + ThreadLocalRandom.current().nextInt(250) + ".";
  final Map<String, Process> processes = new LinkedHashMap<>();
  KubernetesClient admin;
  String ns;

  /** On a failure, the sidecars' logs: what they saw of the pod and the API server. */
  @RegisterExtension
  final TestWatcher logsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      try (var logs = Files.newDirectoryStream(LOGS, "*.log")) {
        for (Path log : logs) {
          List<String> lines = Files.readAllLines(log);
          System.out.println("---- " + log.getFileName() + " (last 80 lines)");
          lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
        }
      } catch (java.io.IOException e) {
        System.out.println("cannot read the sidecars' logs in " + LOGS + ": " + e);
      }
    }
  };

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : processes.values()) {
      p.destroy();
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }

  @Test
  void eachUnitOnTheSharedPodFollowsItsOwnAssignmentReportsAndTakesOverItsLease(
      KubernetesClient client, TestNamespace namespace) throws Exception {
    admin = client;
    ns = namespace.name();
    Map<String, String> api = memberCredentials();
    Path keys = Files.createDirectories(dir.resolve("peer-keys"));
    for (String unit : new String[] {A, B}) {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      Files.write(keys.resolve(unit), key);
    }

    // What the operator writes: the shared pod holding a and b as standbys, a's dedicated primary
    // and its Lease.
    pod(
        SHARED_POD,
        Map.of(
            ContractKeys.POOL_LABEL,
            "kv",
            ContractKeys.poolUnitLabel(A),
            ContractKeys.POOL_UNIT_LABEL_VALUE,
            ContractKeys.poolUnitLabel(B),
            ContractKeys.POOL_UNIT_LABEL_VALUE),
        Map.of(
            ContractKeys.assignmentAnnotation(A),
            ContractJson.toJson(new Assignment(Role.Standby, 1, A_PRIMARY_POD, "Synchronous")),
            ContractKeys.assignmentAnnotation(B),
            ContractJson.toJson(new Assignment(Role.Standby, 1, "b-0", "Synchronous"))));
    pod(
        A_PRIMARY_POD,
        Map.of(ContractKeys.UNIT_LABEL, A, ContractKeys.MEMBER_LABEL, A_PRIMARY_POD),
        Map.of(
            ContractKeys.ASSIGNMENT_ANNOTATION,
            ContractJson.toJson(new Assignment(Role.Primary, 1, SHARED_POD, "Synchronous"))));
    lease(A, A_PRIMARY_POD, 1);
    lease(B, "b-0", 1);

    Map<String, String> pool = new HashMap<>(api);
    pool.putAll(Map.of(
        "OU_POOL",
        "true",
        "OU_POD_NAME",
        SHARED_POD,
        "OU_POD_IP",
        net + "9",
        "OU_POOL_PORTS",
        "7601-7610",
        "OU_PEER_KEY_DIR",
        keys.toString(),
        // The unit taken over has no standby of its own yet: it acknowledges on its own durable
        // write.
        "OU_DATA_DURABILITY",
        "preferred"));
    Path poolData = start("pool", pool);
    Map<String, String> primary = new HashMap<>(api);
    primary.putAll(Map.of(
        "OU_POD_NAME",
        A_PRIMARY_POD,
        "OU_POD_IP",
        net + "1",
        "OU_PEER_KEY_FILE",
        keys.resolve(A).toString()));
    start("a-primary", primary);

    // Each unit reports under its own key: a's replica in sync with a's primary, which found it
    // through that report; b's replica, whose primary never dials it, a standby not in sync.
    MemberReport a = await("a's report on the shared pod, in sync with a's dedicated primary")
        .atMost(Duration.ofSeconds(30))
        .until(() -> report(A), r -> r != null && Boolean.TRUE.equals(r.inSync()));
    assertThat(a.role()).isEqualTo(Role.Standby);
    assertThat(a.epoch()).isEqualTo(1);
    assertThat(a.replicationEndpoint()).isEqualTo(net + "9:7601");
    MemberReport b = await("b's report on the shared pod")
        .atMost(Duration.ofSeconds(10))
        .until(() -> report(B), r -> r != null);
    assertThat(b.role()).isEqualTo(Role.Standby);
    assertThat(b.epoch()).isEqualTo(1);
    assertThat(b.inSync()).isFalse();
    assertThat(b.replicationEndpoint()).isEqualTo(net + "9:7602");
    assertThat(Files.isDirectory(poolData.resolve(B))).isTrue();

    // A Synchronous write to a's primary is acknowledged only once the shared pod holds it.
    try (OuClient c = client(net + "1")) {
      await("a Synchronous write to a's primary, acknowledged with the shared pod")
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(() -> c.put("k1", bytes("v1")) > 0);
    }

    // Takeover of a, in the operator's order: its primary fails, the Lease moves to the shared
    // pod at epoch 2, then a is assigned Primary there.
    processes.remove("a-primary").destroyForcibly().waitFor();
    retryingConflicts(() -> admin
        .leases()
        .inNamespace(ns)
        .withName(ContractKeys.primaryLeaseName(A))
        .edit(l -> {
          l.getSpec().setHolderIdentity(SHARED_POD);
          l.getMetadata().getAnnotations().put(ContractKeys.LEASE_EPOCH_ANNOTATION, "2");
          return l;
        }));
    edit(SHARED_POD, p -> {
      p.getMetadata()
          .getAnnotations()
          .put(
              ContractKeys.assignmentAnnotation(A),
              ContractJson.toJson(new Assignment(Role.Primary, 2, null, "Synchronous")));
      return p;
    });
    await("a's report on the shared pod: Primary at epoch 2")
        .atMost(Duration.ofSeconds(15))
        .until(() -> report(A), r -> r.role() == Role.Primary && r.epoch() == 2);
    ZonedDateTime first = renewTime(A);
    await("Lease a-primary renewed by the shared pod")
        .atMost(Duration.ofSeconds(10))
        .until(() -> renewTime(A) != null && !renewTime(A).equals(first));
    try (OuClient c = client(net + "9")) {
      await("k1, acknowledged by a's old primary, read from the shared pod serving a")
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> c.get("k1").map(v -> new String(v, StandardCharsets.UTF_8)).orElse(""),
              "v1"::equals);
      assertThat(c.put("k2", bytes("v2"))).isPositive();
    }
    assertThat(report(B).role()).isEqualTo(Role.Standby);
    assertThat(report(B).epoch()).isEqualTo(1);
    assertThat(renewTime(B)).as("b's Lease is not the shared pod's to renew").isNull();

    // b leaves the pod: its replica stops listening, its data and its report are gone; a
    // keeps serving.
    edit(SHARED_POD, p -> {
      p.getMetadata().getAnnotations().remove(ContractKeys.assignmentAnnotation(B));
      p.getMetadata().getLabels().remove(ContractKeys.poolUnitLabel(B));
      return p;
    });
    await("b's data directory and report gone from the shared pod")
        .atMost(Duration.ofSeconds(15))
        .until(() -> !Files.exists(poolData.resolve(B)) && report(B) == null);
    assertThat(listening(net + "9", 7602))
        .as("b's replication listener is closed")
        .isFalse();
    try (OuClient c = client(net + "9")) {
      SidecarStatus s = c.status();
      assertThat(s.fields()).containsEntry("unit.a.role", "PRIMARY");
      assertThat(s.fields().keySet()).noneMatch(k -> k.startsWith("unit." + B + "."));
      assertThat(c.put("k3", bytes("v3"))).isPositive();
    }
    assertThat(report(A).role()).isEqualTo(Role.Primary);
  }

  // ---- the stage: credentials as a pod has them, pods and Leases as the operator writes them

  /** A ServiceAccount with what a pool's member needs (its pod; its units' Leases) and the OU_API_* to use it. */
  Map<String, String> memberCredentials() throws Exception {
    admin
        .serviceAccounts()
        .inNamespace(ns)
        .resource(new ServiceAccountBuilder()
            .withNewMetadata()
            .withName(SERVICE_ACCOUNT)
            .endMetadata()
            .build())
        .create();
    admin
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(new RoleBuilder()
            .withNewMetadata()
            .withName(SERVICE_ACCOUNT)
            .endMetadata()
            .withRules(
                new PolicyRuleBuilder()
                    .withApiGroups("")
                    .withResources("pods")
                    .withVerbs("get", "list", "watch", "patch")
                    .build(),
                new PolicyRuleBuilder()
                    .withApiGroups("coordination.k8s.io")
                    .withResources("leases")
                    .withResourceNames(
                        ContractKeys.primaryLeaseName(A), ContractKeys.primaryLeaseName(B))
                    .withVerbs("get", "update", "patch")
                    .build())
            .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(new RoleBindingBuilder()
            .withNewMetadata()
            .withName(SERVICE_ACCOUNT)
            .endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", "Role", SERVICE_ACCOUNT)
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName(SERVICE_ACCOUNT)
            .withNamespace(ns)
            .endSubject()
            .build())
        .create();
    String token = admin
        .serviceAccounts()
        .inNamespace(ns)
        .withName(SERVICE_ACCOUNT)
        .tokenRequest(new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(3600L)
            .endSpec()
            .build())
        .getStatus()
        .getToken();
    var config = admin.getConfiguration();
    byte[] ca = config.getCaCertData() != null
        ? Base64.getDecoder().decode(config.getCaCertData())
        : Files.readAllBytes(Path.of(config.getCaCertFile()));
    return Map.of(
        "OU_CONTROL",
        "kubernetes",
        "OU_NAMESPACE",
        ns,
        "OU_API_SERVER",
        config.getMasterUrl(),
        "OU_API_TOKEN_FILE",
        Files.writeString(dir.resolve("token"), token).toString(),
        "OU_API_CA_FILE",
        Files.write(dir.resolve("ca.crt"), ca).toString(),
        "OU_HEARTBEAT_INTERVAL",
        "100ms",
        "OU_PEER_LOST_AFTER",
        "1s");
  }

  void pod(String name, Map<String, String> labels, Map<String, String> annotations) {
    admin
        .pods()
        .inNamespace(ns)
        .resource(new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("example/app")
            .endContainer()
            .endSpec()
            .build())
        .create();
  }

  void lease(String unit, String holder, long epoch) {
    admin
        .leases()
        .inNamespace(ns)
        .resource(new LeaseBuilder()
            .withNewMetadata()
            .withName(ContractKeys.primaryLeaseName(unit))
            .addToAnnotations(ContractKeys.LEASE_EPOCH_ANNOTATION, String.valueOf(epoch))
            .addToAnnotations(ContractKeys.LEASE_DURATION_MS_ANNOTATION, "3000")
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(holder)
            .withLeaseDurationSeconds(3)
            .endSpec()
            .build())
        .create();
  }

  /** An edit as the operator makes it: again on 409 (the sidecars write their reports on the same pod). */
  void edit(String pod, UnaryOperator<Pod> change) {
    retryingConflicts(() -> admin.pods().inNamespace(ns).withName(pod).edit(change));
  }

  static void retryingConflicts(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) throw e;
      }
    }
  }

  /** Unit {@code unit}'s report on the shared pod, or null when there is none. */
  MemberReport report(String unit) {
    String json = admin
        .pods()
        .inNamespace(ns)
        .withName(SHARED_POD)
        .get()
        .getMetadata()
        .getAnnotations()
        .get(ContractKeys.reportAnnotation(unit));
    return json == null ? null : ContractJson.report(json);
  }

  ZonedDateTime renewTime(String unit) {
    return admin
        .leases()
        .inNamespace(ns)
        .withName(ContractKeys.primaryLeaseName(unit))
        .get()
        .getSpec()
        .getRenewTime();
  }

  // ---- the sidecar processes

  /**
   * Starts a real sidecar process (the sidecar's main class, the classes of this test's class path) on host
   * {@code net}+ the last octet of its OU_POD_IP; waits until its local API answers. Returns its data directory.
   */
  Path start(String name, Map<String, String> env) throws Exception {
    String host = env.get("OU_POD_IP");
    Path data = Files.createDirectories(dir.resolve(name + "-data"));
    Path log = Files.createDirectories(LOGS).resolve(name + ".log");
    Files.deleteIfExists(log);
    ProcessBuilder pb = new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.availability.ou.sidecar.SidecarMain")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("OU_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().putAll(env);
    pb.environment().put("OU_DATA_DIR", data.toString());
    pb.environment().put("OU_LOCAL_API_ADDRESS", host + ":7481");
    pb.environment().put("OU_HEALTH_ADDRESS", host + ":7482");
    pb.environment().put("OU_MEMBER_NAME", name);
    Process p = pb.start();
    processes.put(name, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!listening(host, 7481)) {
      if (!p.isAlive() || System.nanoTime() > deadline)
        throw new IllegalStateException(
            "sidecar " + name + (p.isAlive() ? " did not start" : " exited") + "; its log " + log
                + ":\n" + Files.readString(log));
      Thread.sleep(50);
    }
    return data;
  }

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static OuClient client(String host) {
    return OuClient.connect(new InetSocketAddress(host, 7481), Duration.ofSeconds(10));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
