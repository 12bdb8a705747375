package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ContractJson;
import dev.availability.ou.memberapi.MemberApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pooled sidecar following its pod (in this JVM, real replicas and listeners, the API server played by an
 * in-memory pod): the pool's rule that the pod serves one unit as primary holds under Kubernetes too, a refused
 * promotion goes through once the other unit is a standby, and a unit that leaves takes its report with it. The
 * real API server's part is in the e2e test SharedStandbySidecarTest.
 */
class KubernetesPoolTest {
  static final String POD = "kv-standby-0";

  @TempDir
  Path dir;

  final InMemoryPod pod = new InMemoryPod();
  PooledSidecar sidecar;

  @AfterEach
  void close() {
    if (sidecar != null) sidecar.close();
  }

  @Test
  void aSecondPrimaryIsRefusedUntilTheFirstIsAStandbyAndALeavingUnitTakesItsReport()
      throws Exception {
    pod.assign("a", Role.Standby, 1);
    pod.assign("b", Role.Standby, 1);
    String host = SidecarProcess.freshNet() + "9";
    Path keys = Files.createDirectories(dir.resolve("keys"));
    for (String u : List.of("a", "b")) Files.write(keys.resolve(u), new byte[32]);
    PoolConfig pool = PoolConfig.from(
        Map.of(
            "OU_POOL",
            "true",
            "OU_POD_NAME",
            POD,
            "OU_NAMESPACE",
            "ns",
            "OU_POD_IP",
            host,
            "OU_LOCAL_API_ADDRESS",
            host + ":7481",
            "OU_DATA_DIR",
            dir.resolve("data").toString(),
            "OU_PEER_KEY_DIR",
            keys.toString(),
            "OU_DATA_DURABILITY",
            "preferred"),
        new String[0]);
    sidecar = new PooledSidecar(pool, new KubernetesPool(pool.base(), pod));

    assertThat(sidecar.units()).containsExactlyInAnyOrder("a", "b");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pod.report("a") != null && pod.report("b") != null);
    assertThat(pod.watches).as("one watch of the pod for both units").isEqualTo(1);

    pod.assign("a", Role.Primary, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> role("a").equals("PRIMARY"));
    pod.assign("b", Role.Primary, 2);
    Thread.sleep(KubernetesPool.RECHECK_MILLIS + 500); // refused, and refused again on the recheck
    assertThat(role("b")).isEqualTo("STANDBY");
    assertThat(sidecar.status(null)).containsEntry("counter.poolPromotionsRefused", "1");

    // a is made a standby: b's assignment, still on the pod, goes through on the next recheck.
    pod.assign("a", Role.Standby, 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> role("b").equals("PRIMARY"));
    assertThat(sidecar.status(null)).containsEntry("counter.poolPromotionsRefused", "1");

    // A unit served as primary does not leave; a standby does, with its data and its report.
    pod.unassign("b");
    pod.unassign("a");
    await().atMost(Duration.ofSeconds(10)).until(() -> pod.report("a") == null);
    assertThat(sidecar.units()).containsExactly("b");
    assertThat(dir.resolve("data").resolve("a")).doesNotExist();
    assertThat(role("b")).isEqualTo("PRIMARY");
  }

  String role(String unit) {
    return sidecar.status(null).get("unit." + unit + ".role");
  }

  /** One pod's annotations as the API server keeps them: merge patches applied, watchers told of every change. */
  static final class InMemoryPod implements MemberApi {
    final Map<String, String> annotations = new ConcurrentHashMap<>();
    final List<Consumer<PodMeta>> watchers = new CopyOnWriteArrayList<>();
    // Changes reach watchers on a thread of their own, in order, as a watch's events do.
    final java.util.concurrent.ExecutorService events =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    volatile int watches;

    void assign(String unit, Role role, long epoch) {
      annotations.put(
          ContractKeys.assignmentAnnotation(unit),
          ContractJson.toJson(new Assignment(role, epoch, null, "Synchronous")));
      changed();
    }

    void unassign(String unit) {
      annotations.remove(ContractKeys.assignmentAnnotation(unit));
      changed();
    }

    String report(String unit) {
      return annotations.get(ContractKeys.reportAnnotation(unit));
    }

    synchronized void changed() {
      PodMeta p = getPod(POD);
      events.execute(() -> watchers.forEach(w -> w.accept(p)));
    }

    @Override
    public AutoCloseable watchPod(
        String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
      watches++;
      watchers.add(onPod);
      onPod.accept(getPod(name));
      return () -> watchers.remove(onPod);
    }

    @Override
    public void mergePatchPod(String name, String patch) {
      // {"metadata":{"annotations":{key: value or null, ...}}}, as the sidecar writes them
      try (JsonParser p = new JsonFactory().createParser(patch)) {
        while (p.nextToken() != null && !"annotations".equals(p.currentName())) {}
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          if (p.nextToken() == JsonToken.VALUE_NULL) annotations.remove(key);
          else annotations.put(key, p.getText());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      changed();
    }

    @Override
    public PodMeta getPod(String name) {
      return POD.equals(name) ? new PodMeta(POD, Map.of(), Map.copyOf(annotations)) : null;
    }

    @Override
    public LeaseState getLease(String name) {
      return null; // no Lease: a primary here does not serve, which this test does not need
    }

    @Override
    public LeaseState renewLease(LeaseState lease, Instant renewTime, Duration duration) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      events.shutdownNow();
    }
  }
}
