package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ApiServerAccess;
import dev.availability.ou.memberapi.ContractJson;
import dev.availability.ou.memberapi.HttpMemberApi;
import dev.availability.ou.memberapi.MemberApi;
import dev.availability.ou.memberapi.MemberApiException;
import dev.availability.ou.memberapi.MemberChannel;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's API client ({@link HttpMemberApi}, no Kubernetes client library) and {@link KubernetesControl}
 * on a real API server, authenticated as a pod is: a ServiceAccount token from the TokenRequest API, the
 * cluster's CA, and a Role with exactly what the operator grants a member (pods get/list/watch/patch, the
 * unit's primary Lease get/update; see UnitObjectsBuilder.memberRole). Fabric8 (cluster-admin) only sets the
 * stage and checks the results.
 */
@KubernetesCluster
class KubernetesControlClusterTest {
  static final String UNIT = "web";
  static final String LEASE = ContractKeys.primaryLeaseName(UNIT);
  static final String SERVICE_ACCOUNT = "web-member";

  @TempDir
  static Path work;

  static String server;
  static Path caFile;
  static Path tokenFile;
  static String ns;
  static KubernetesClient admin;

  @TempDir
  Path dir;

  final List<AutoCloseable> closeLast = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp(KubernetesClient client, TestNamespace namespace) throws IOException {
    admin = client;
    ns = namespace.name();
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
                    .withResourceNames(LEASE)
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
    var config = admin.getConfiguration();
    server = config.getMasterUrl();
    byte[] ca = config.getCaCertData() != null
        ? Base64.getDecoder().decode(config.getCaCertData())
        : Files.readAllBytes(Path.of(config.getCaCertFile()));
    caFile = Files.write(work.resolve("ca.crt"), ca);
    tokenFile = Files.writeString(work.resolve("token"), token(null));
  }

  /** A token of the member's ServiceAccount from the TokenRequest API, bound to {@code secret} when it is not null. */
  static String token(Secret secret) {
    var b = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec();
    if (secret != null) {
      b.editSpec()
          .withNewBoundObjectRef()
          .withApiVersion("v1")
          .withKind("Secret")
          .withName(secret.getMetadata().getName())
          .withUid(secret.getMetadata().getUid())
          .endBoundObjectRef()
          .endSpec();
    }
    return admin
        .serviceAccounts()
        .inNamespace(ns)
        .withName(SERVICE_ACCOUNT)
        .tokenRequest(b.build())
        .getStatus()
        .getToken();
  }

  static ApiServerAccess access(Path token) {
    return ApiServerAccess.resolve(server, token.toString(), caFile.toString(), Map.of());
  }

  @BeforeEach
  void freshLeaseAndPods() {
    admin.leases().inNamespace(ns).withName(LEASE).delete();
    admin.pods().inNamespace(ns).delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> admin.pods().inNamespace(ns).list().getItems().isEmpty()
            && admin.leases().inNamespace(ns).withName(LEASE).get() == null);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeLast.reversed()) c.close();
  }

  <T extends AutoCloseable> T closing(T c) {
    closeLast.add(c);
    return c;
  }

  static Pod pod(String name, Assignment a, MemberReport report) {
    PodBuilder b = new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(ContractKeys.UNIT_LABEL, UNIT)
        .addToLabels(ContractKeys.MEMBER_LABEL, name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example/app")
        .endContainer()
        .endSpec();
    if (a != null)
      b.editMetadata()
          .addToAnnotations(ContractKeys.ASSIGNMENT_ANNOTATION, ContractJson.toJson(a))
          .endMetadata();
    if (report != null)
      b.editMetadata()
          .addToAnnotations(ContractKeys.REPORT_ANNOTATION, ContractJson.toJson(report))
          .endMetadata();
    return admin.pods().inNamespace(ns).resource(b.build()).create();
  }

  static Lease lease(String holder, long epoch, long durationMs) {
    return admin
        .leases()
        .inNamespace(ns)
        .resource(new LeaseBuilder()
            .withNewMetadata()
            .withName(LEASE)
            .addToAnnotations(ContractKeys.LEASE_EPOCH_ANNOTATION, String.valueOf(epoch))
            .addToAnnotations(ContractKeys.LEASE_DURATION_MS_ANNOTATION, String.valueOf(durationMs))
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(holder)
            .withLeaseDurationSeconds(10)
            .endSpec()
            .build())
        .create();
  }

  /**
   * An edit as the operator makes it: read, change, write against that resourceVersion, again on 409 (the
   * member under test writes the same objects concurrently: its lease renewals, its reports).
   */
  static void edit(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) throw e;
      }
    }
  }

  static void moveLease(String holder, long epoch) {
    edit(() -> admin.leases().inNamespace(ns).withName(LEASE).edit(l -> {
      l.getSpec().setHolderIdentity(holder);
      l.getMetadata()
          .getAnnotations()
          .put(ContractKeys.LEASE_EPOCH_ANNOTATION, String.valueOf(epoch));
      return l;
    }));
  }

  static void assign(String pod, Assignment a) {
    edit(() -> admin.pods().inNamespace(ns).withName(pod).edit(p -> {
      p.getMetadata()
          .getAnnotations()
          .put(ContractKeys.ASSIGNMENT_ANNOTATION, ContractJson.toJson(a));
      return p;
    }));
  }

  /** The lease's spec.renewTime exactly as the API server stores it (a MicroTime string). */
  static String rawRenewTime() {
    GenericKubernetesResource l = admin
        .genericKubernetesResources("coordination.k8s.io/v1", "Lease")
        .inNamespace(ns)
        .withName(LEASE)
        .get();
    Object spec = l.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m && m.get("renewTime") != null
        ? m.get("renewTime").toString()
        : null;
  }

  static MemberReport report(Role role, long epoch, String endpoint) {
    return MemberReport.builder()
        .role(role)
        .epoch(epoch)
        .lastDurableSeq(0)
        .lag(0L)
        .inSync(role == Role.Standby ? true : null)
        .peerLost(false)
        .peerHeartbeatAgeMillis(0L)
        .appHealthy(true)
        .replicationEndpoint(endpoint)
        .reportedAtMillis(System.currentTimeMillis())
        .build();
  }

  @Test
  void controlFollowsTheAssignmentRenewsTheLeaseAndReportsOnItsOwnPod() throws Exception {
    pod("web-b", null, report(Role.Standby, 7, "127.0.0.9:7480"));
    pod("web-a", new Assignment(Role.Primary, 7, "web-b", "Asynchronous"), null);
    lease("web-a", 7, 3000);

    Map<String, String> env = new HashMap<>(Map.of(
        "OU_POD_NAME",
        "web-a",
        "OU_NAMESPACE",
        ns,
        "OU_POD_IP",
        "127.0.0.8",
        "OU_DATA_DIR",
        dir.toString(),
        "OU_API_SERVER",
        server,
        "OU_API_TOKEN_FILE",
        tokenFile.toString(),
        "OU_API_CA_FILE",
        caFile.toString()));
    Config cfg = Config.from(env, new String[0]);
    assertThat(cfg.control()).isEqualTo("kubernetes");
    Counters counters = new Counters();
    Store store = closing(new Store(dir, Limits.DEFAULT, cfg.segmentBytes(), counters));
    LogWriter writer = closing(new LogWriter(store, cfg.fsync(), counters));
    Replica replica = new Replica(cfg, store, writer, counters, System::nanoTime);
    KubernetesControl control =
        closing(new KubernetesControl(cfg)); // as in a pod, but the API server named in the env
    LeaseKeeper keeper = closing(new LeaseKeeper(control, replica, 500));
    control.start(replica);

    await().atMost(Duration.ofSeconds(10)).until(() -> replica.role() == Role.Primary);
    assertThat(replica.epoch()).isEqualTo(7);
    assertThat(replica.mode()).isEqualTo(Mode.ASYNCHRONOUS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "127.0.0.9:7480".equals(replica.peerEndpoint()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(replica::serving); // the lease was renewed at epoch 7
    assertThat(rawRenewTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    ZonedDateTime renewed =
        admin.leases().inNamespace(ns).withName(LEASE).get().getSpec().getRenewTime();
    assertThat(Duration.between(renewed.toInstant(), Instant.now()).abs())
        .isLessThan(Duration.ofSeconds(10));
    // Renewed again every third of the 3 s duration.
    String first = rawRenewTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> !first.equals(rawRenewTime()));

    control.publish(MemberReport.builder()
        .role(replica.reportedRole())
        .epoch(replica.epoch())
        .lastDurableSeq(replica.durableSeq())
        .lag(0L)
        .peerLost(false)
        .peerHeartbeatAgeMillis(5L)
        .replicationEndpoint(cfg.advertisedEndpoint())
        .reportedAtMillis(System.currentTimeMillis())
        .build());
    String json = admin
        .pods()
        .inNamespace(ns)
        .withName("web-a")
        .get()
        .getMetadata()
        .getAnnotations()
        .get(ContractKeys.REPORT_ANNOTATION);
    assertThat(ContractJson.report(json).replicationEndpoint()).isEqualTo("127.0.0.8:7480");
    assertThat(ContractJson.report(json).role()).isEqualTo(Role.Primary);
    assertThat(control.lastReport()).isNotNull();

    // The peer moves: the primary follows the endpoint the peer now advertises.
    edit(() -> admin.pods().inNamespace(ns).withName("web-b").edit(p -> {
      p.getMetadata()
          .getAnnotations()
          .put(
              ContractKeys.REPORT_ANNOTATION,
              ContractJson.toJson(report(Role.Standby, 7, "127.0.0.10:7480")));
      return p;
    }));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "127.0.0.10:7480".equals(replica.peerEndpoint()));

    // The operator moves the lease to a new primary at epoch 8: renewals are refused and this
    // member stops serving.
    moveLease("web-b", 8);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      replica.checkServing("tick");
      return !replica.serving();
    });
  }

  @Test
  void assignmentChangesReachTheListenerAcrossWatchReconnections() throws Exception {
    pod("web-c", new Assignment(Role.Standby, 1, "web-d", "Synchronous"), null);
    HttpMemberApi api =
        closing(new HttpMemberApi(access(tokenFile).withWatchTimeout(Duration.ofSeconds(1)), ns));
    MemberChannel channel = closing(new MemberChannel(api, "web-c", Clock.systemUTC()));
    List<Assignment> seen = new CopyOnWriteArrayList<>();
    List<String> trouble = new CopyOnWriteArrayList<>();
    channel.onAssignment(seen::add, trouble::add);
    // The first list happens before onAssignment returns.
    assertThat(seen).containsExactly(new Assignment(Role.Standby, 1, "web-d", "Synchronous"));
    assertThat(channel.unit()).isEqualTo(UNIT);

    assign("web-c", new Assignment(Role.Primary, 2, "web-d", "Synchronous"));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    // The API server ends each watch after 1-2 s; the watch resumes from the last resourceVersion
    // each time.
    long connections = api.watchConnections();
    await().atMost(Duration.ofSeconds(20)).until(() -> api.watchConnections() >= connections + 3);
    assign("web-c", new Assignment(Role.Primary, 3, "web-e", "Synchronous"));
    // An unrelated change of the pod (same assignment) and an older epoch are not reported.
    edit(() -> admin.pods().inNamespace(ns).withName("web-c").edit(p -> {
      p.getMetadata().getLabels().put("unrelated", "x");
      return p;
    }));
    assign("web-c", new Assignment(Role.Standby, 2, "web-d", "Synchronous"));
    assign("web-c", new Assignment(Role.Primary, 4, "web-e", "Journal"));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 4);
    Thread.sleep(1500);
    assertThat(seen)
        .containsExactly(
            new Assignment(Role.Standby, 1, "web-d", "Synchronous"),
            new Assignment(Role.Primary, 2, "web-d", "Synchronous"),
            new Assignment(Role.Primary, 3, "web-e", "Synchronous"),
            new Assignment(Role.Primary, 4, "web-e", "Journal"));
    assertThat(trouble).isEmpty(); // the server ending a watch is no failure

    // Closed: no more assignments, no more connections.
    channel.close();
    Thread.sleep(300);
    long after = api.watchConnections();
    assign("web-c", new Assignment(Role.Primary, 5, "web-e", "Journal"));
    Thread.sleep(2500);
    assertThat(seen).hasSize(4);
    assertThat(api.watchConnections()).isEqualTo(after);
  }

  @Test
  void publishWritesTheReportAndThePeersEndpointIsRead() {
    pod("web-p", new Assignment(Role.Primary, 3, "web-q", "Synchronous"), null);
    pod("web-q", null, report(Role.Standby, 3, "127.0.0.7:7480"));
    pod("web-r", null, null);
    HttpMemberApi api = closing(new HttpMemberApi(access(tokenFile), ns));
    MemberChannel channel = new MemberChannel(api, "web-p", Clock.systemUTC());

    MemberReport r = MemberReport.builder()
        .role(Role.Primary)
        .epoch(3)
        .lastDurableSeq(42)
        .lag(0L)
        .peerLost(false)
        .peerHeartbeatAgeMillis(0L)
        .appHealthy(true)
        .replicationEndpoint("127.0.0.6:7480")
        .reportedAtMillis(System.currentTimeMillis())
        .build();
    assertThat(channel.publish(r)).isTrue();
    Pod p = admin.pods().inNamespace(ns).withName("web-p").get();
    assertThat(ContractJson.report(
            p.getMetadata().getAnnotations().get(ContractKeys.REPORT_ANNOTATION)))
        .isEqualTo(r);
    // A merge patch: the assignment and labels are untouched.
    assertThat(p.getMetadata().getAnnotations()).containsKey(ContractKeys.ASSIGNMENT_ANNOTATION);
    assertThat(p.getMetadata().getLabels()).containsEntry(ContractKeys.UNIT_LABEL, UNIT);
    // Same facts soon after: not written again.
    assertThat(channel.publish(MemberReport.builder()
            .role(Role.Primary)
            .epoch(3)
            .lastDurableSeq(42)
            .lag(0L)
            .peerLost(false)
            .peerHeartbeatAgeMillis(0L)
            .appHealthy(true)
            .replicationEndpoint("127.0.0.6:7480")
            .reportedAtMillis(r.reportedAtMillis() + 1)
            .build()))
        .isFalse();

    assertThat(channel.peerReplicationEndpoint("web-q")).isEqualTo("127.0.0.7:7480");
    assertThat(channel.peerReplicationEndpoint("web-r")).isNull(); // no report yet
    assertThat(channel.peerReplicationEndpoint("web-nobody")).isNull(); // no such pod
  }

  @Test
  void theLeaseIsRenewedRefusedToOthersAndAConflictIsRetried() {
    HttpMemberApi http = closing(new HttpMemberApi(access(tokenFile), ns));
    AtomicInteger conflicts = new AtomicInteger();
    MemberApi api = new CountingConflicts(http, conflicts);
    MemberChannel channel = new MemberChannel(api, "web-x", Clock.systemUTC());

    assertThat(channel.renewPrimaryLease(UNIT, 3).reason())
        .isEqualTo("lease " + LEASE + " does not exist");
    lease("web-x", 3, 5000);
    MemberChannel.Renewal r = channel.renewPrimaryLease(UNIT, 3);
    assertThat(r.held()).isTrue();
    assertThat(r.leaseDuration()).isEqualTo(Duration.ofMillis(5000));
    String renewed = rawRenewTime();
    assertThat(renewed).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

    // Someone else writes the lease (same holder): the renewal's PUT against the old
    // resourceVersion gets 409, the lease is read again and the renewal goes through.
    admin.leases().inNamespace(ns).withName(LEASE).edit(l -> {
      l.getMetadata().getAnnotations().put("touched-by", "test");
      return l;
    });
    r = channel.renewPrimaryLease(UNIT, 3);
    assertThat(r.held()).isTrue();
    assertThat(conflicts.get()).isEqualTo(1);
    assertThat(rawRenewTime()).isNotEqualTo(renewed);
    assertThat(
            admin.leases().inNamespace(ns).withName(LEASE).get().getMetadata().getAnnotations())
        .containsEntry("touched-by", "test");

    // A renewal at another epoch, or of a lease another member holds, is refused and writes
    // nothing.
    r = channel.renewPrimaryLease(UNIT, 2);
    assertThat(r.held()).isFalse();
    assertThat(r.reason()).isEqualTo("lease held by web-x at epoch 3");
    moveLease("web-y", 4);
    String before =
        admin.leases().inNamespace(ns).withName(LEASE).get().getMetadata().getResourceVersion();
    r = channel.renewPrimaryLease(UNIT, 3);
    assertThat(r.held()).isFalse();
    assertThat(r.reason()).isEqualTo("lease held by web-y at epoch 4");
    assertThat(
            admin.leases().inNamespace(ns).withName(LEASE).get().getMetadata().getResourceVersion())
        .isEqualTo(before);
    assertThat(conflicts.get()).isEqualTo(1);
  }

  @Test
  void errorsAreNamedAndARotatedTokenIsReadAfterA401() throws Exception {
    HttpMemberApi api = closing(new HttpMemberApi(access(tokenFile), ns));
    // 403: the Role grants only the unit's own lease.
    assertThatThrownBy(() -> api.getLease("other-primary"))
        .isInstanceOfSatisfying(MemberApiException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.getMessage())
              .contains(
                  "get lease other-primary in namespace " + ns,
                  "403 Forbidden",
                  "system:serviceaccount:" + ns + ":" + SERVICE_ACCOUNT);
        });
    // 404 on a patch of a pod that does not exist.
    assertThatThrownBy(
            () -> api.mergePatchPod("web-nobody", "{\"metadata\":{\"annotations\":{\"a\":\"b\"}}}"))
        .isInstanceOfSatisfying(MemberApiException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.getMessage()).contains("patch pod web-nobody", "404 Not Found", "not found");
        });

    // Rotation: the pod's token file holds a token that becomes invalid (bound to a Secret that is
    // deleted), and the kubelet writes a new one. Re-reading only every hour, the client must
    // re-read it after the 401.
    pod("web-t", null, null);
    Secret anchor = admin
        .secrets()
        .inNamespace(ns)
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("token-anchor")
            .endMetadata()
            .build())
        .create();
    Path rotating = Files.writeString(work.resolve("rotating-token"), token(anchor));
    Path stale = Files.writeString(work.resolve("stale-token"), Files.readString(rotating));
    HttpMemberApi rotatingApi =
        closing(new HttpMemberApi(access(rotating).withTokenReread(Duration.ofHours(1)), ns));
    HttpMemberApi staleApi =
        closing(new HttpMemberApi(access(stale).withTokenReread(Duration.ofHours(1)), ns));
    assertThat(rotatingApi.getPod("web-t")).isNotNull();
    assertThat(staleApi.getPod("web-t")).isNotNull();

    Files.writeString(rotating, token(null));
    admin.secrets().inNamespace(ns).withName("token-anchor").delete();
    // The API server caches token reviews for a few seconds: wait until the old token is refused.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
      try {
        staleApi.getPod("web-t");
        return false;
      } catch (MemberApiException e) {
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).contains("get pod web-t", "401 Unauthorized", stale.toString());
        return true;
      }
    });
    assertThat(rotatingApi.getPod("web-t").name()).isEqualTo("web-t");

    // No token at all (anonymous: 401, or 403 where anonymous requests are enabled): the message
    // says why.
    HttpMemberApi none = closing(new HttpMemberApi(access(work.resolve("no-such-token")), ns));
    assertThatThrownBy(() -> none.getPod("web-t"))
        .isInstanceOfSatisfying(MemberApiException.class, e -> {
          assertThat(e.status()).isIn(401, 403);
          assertThat(e.getMessage())
              .contains(
                  "get pod web-t", "no token", work.resolve("no-such-token").toString());
        });
  }

  /** Delegates to the real client and counts the 409s of lease updates. */
  record CountingConflicts(MemberApi api, AtomicInteger conflicts) implements MemberApi {
    @Override
    public AutoCloseable watchPod(
        String name,
        java.util.function.Consumer<PodMeta> onPod,
        java.util.function.Consumer<String> onTrouble) {
      return api.watchPod(name, onPod, onTrouble);
    }

    @Override
    public void mergePatchPod(String name, String patch) {
      api.mergePatchPod(name, patch);
    }

    @Override
    public PodMeta getPod(String name) {
      return api.getPod(name);
    }

    @Override
    public LeaseState getLease(String name) {
      return api.getLease(name);
    }

    @Override
    public LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration) {
      try {
        return api.renewLease(lease, renewTime, duration);
      } catch (MemberApiException e) {
        if (e.isConflict()) conflicts.incrementAndGet();
        throw e;
      }
    }

    @Override
    public void close() {
      api.close();
    }
  }
}
