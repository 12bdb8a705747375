package dev.availability.ou.e2e;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.testsupport.Crds;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Units for the tests, made from the samples users apply, and ways to read what became of them. */
public final class Units {
  private final KubernetesClient client;
  private final String namespace;

  public Units(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * Installs (or updates) the CRDs of crds/ (OperationalUnit, StandbyPool), as users do, and waits until they are
   * served.
   */
  public static void installCrd(KubernetesClient client, Path repoRoot) {
    Crds.install(client, repoRoot, "ou-e2e");
  }

  /** The synchronous sample of samples/, renamed, with the given response-time budget. */
  public static OperationalUnit sample(Path repoRoot, String name, String responseTimeBudget) {
    try (InputStream in =
        Files.newInputStream(repoRoot.resolve("samples/kvstore-synchronous.yaml"))) {
      OperationalUnit unit = Serialization.unmarshal(in, OperationalUnit.class);
      unit.getMetadata().setName(name);
      unit.getSpec().getFailover().setResponseTimeBudget(responseTimeBudget);
      unit.getSpec().getReplication().setMode(ReplicationMode.Synchronous);
      return unit;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code unit} exempt from the failover-loop guard, for the benchmarks: they fault a unit again and again on
   * purpose (a warm-up, the samples, a baseline), which the guard, rightly in production (FailoverLoopDrillTest), would
   * stop after three within five minutes. Ten failovers within one second never happen there.
   */
  public static OperationalUnit exemptFromLoopGuard(OperationalUnit unit) {
    dev.availability.ou.api.LoopProtectionSpec loop =
        new dev.availability.ou.api.LoopProtectionSpec();
    loop.setMaxFailovers(10);
    loop.setWindow("1s");
    unit.getSpec().getFailover().setLoopProtection(loop);
    return unit;
  }

  public OperationalUnit create(OperationalUnit unit) {
    return client
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .resource(unit)
        .create();
  }

  public void delete(String name) {
    client
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .withName(name)
        .delete();
  }

  /**
   * Sets (value non-null) or removes (null) one annotation of the unit with a merge patch, as {@code kubectl annotate}
   * and {@code kubectl ou} do: no resourceVersion, so the operator's status writes in between cannot fail it with a
   * conflict (a read-modify-write {@code edit} did, in CI: 409 on a unit whose status the operator had just written).
   */
  public void annotate(String name, String key, String value) {
    String patch = "{\"metadata\":{\"annotations\":{" + Serialization.asJson(key) + ":"
        + (value == null ? "null" : Serialization.asJson(value)) + "}}}";
    client
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  public OperationalUnit get(String name) {
    return client
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  public UnitPhase phase(String name) {
    OperationalUnit u = get(name);
    return u == null || u.getStatus() == null ? null : u.getStatus().getPhase();
  }

  public String primary(String name) {
    OperationalUnit u = get(name);
    return u == null || u.getStatus() == null || u.getStatus().getPrimary() == null
        ? null
        : u.getStatus().getPrimary().getPod();
  }

  public String standby(String name) {
    OperationalUnit u = get(name);
    return u == null || u.getStatus() == null || u.getStatus().getStandby() == null
        ? null
        : u.getStatus().getStandby().getPod();
  }

  public int failovers(String name) {
    OperationalUnit u = get(name);
    return u == null || u.getStatus() == null || u.getStatus().getFailovers() == null
        ? 0
        : u.getStatus().getFailovers();
  }

  public String nodeOf(String pod) {
    var p = client.pods().inNamespace(namespace).withName(pod).get();
    return p == null ? null : p.getSpec().getNodeName();
  }

  /** The pods the Service's EndpointSlices list (ready or not). */
  public Set<String> endpointPods(String service) {
    return client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service)
        .list()
        .getItems()
        .stream()
        .flatMap(s ->
            s.getEndpoints() == null ? java.util.stream.Stream.empty() : s.getEndpoints().stream())
        .map(e -> e.getTargetRef() == null ? null : e.getTargetRef().getName())
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
  }

  /** The pods the Service's EndpointSlices list as ready: where a client's requests are sent and answered. */
  public Set<String> readyEndpointPods(String service) {
    return client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service)
        .list()
        .getItems()
        .stream()
        .flatMap(s ->
            s.getEndpoints() == null ? java.util.stream.Stream.empty() : s.getEndpoints().stream())
        .filter(e ->
            e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
        .map(e -> e.getTargetRef() == null ? null : e.getTargetRef().getName())
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
  }

  public List<String> memberPods(String unit) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(ContractKeys.UNIT_LABEL, unit)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** Event reasons recorded on the unit, oldest first. */
  public List<String> eventReasons(String unit) {
    return client
        .v1()
        .events()
        .inNamespace(namespace)
        .withField("involvedObject.name", unit)
        .list()
        .getItems()
        .stream()
        .sorted(java.util.Comparator.comparing(
            (Event e) -> e.getFirstTimestamp() == null ? "" : e.getFirstTimestamp()))
        .map(Event::getReason)
        .toList();
  }
}
