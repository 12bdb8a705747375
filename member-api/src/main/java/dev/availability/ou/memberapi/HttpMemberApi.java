package dev.availability.ou.memberapi;

import dev.availability.ou.contract.ContractKeys;
import java.net.http.HttpClient;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link MemberApi} on the JDK alone: {@link HttpClient} (HTTP/1.1, TLS trusting only the cluster CA, a bearer
 * token from a file) and a plain JSON tree on jackson-core's streaming parser ({@link Json}). Made for the
 * sidecar, which runs in every pod: no Kubernetes client library, no data binding.
 *
 * <p>The calls: {@code GET /api/v1/namespaces/{ns}/pods?fieldSelector=metadata.name={pod}} then
 * {@code ...&watch=true&resourceVersion=...&allowWatchBookmarks=true&timeoutSeconds=...} (line-delimited watch
 * events; when a watch ends it resumes from the last resourceVersion, after a failure with a backoff of 0.2 s
 * doubling to 3.2 s, ended early when another call is answered, and on 410 Gone it lists again); {@code PATCH .../pods/{pod}} as
 * {@code application/merge-patch+json}; {@code GET .../pods/{peer}}; {@code GET} and {@code PUT
 * /apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}} (the PUT carries the resourceVersion read, so a
 * concurrent change fails with 409).
 *
 * <p>The token file is re-read every {@link ApiServerAccess#tokenReread()} and at once after a 401, after which
 * the request is sent again once (bound ServiceAccount tokens rotate). A request whose connection fails before
 * an answer is sent again once (all four operations are safe to repeat).
 *
 * <p>This class holds the Kubernetes operations; {@link ApiServerHttp} sends the requests and {@link PodWatches}
 * keeps the watches.
 */
public final class HttpMemberApi implements MemberApi {
  /** Kubernetes MicroTime (RFC 3339 with microseconds, UTC), as {@code Lease.spec.renewTime} takes it. */
  static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String namespace;
  private final ApiServerHttp api;
  private final PodWatches watches;

  public HttpMemberApi(ApiServerAccess access, String namespace) {
    this.namespace = Objects.requireNonNull(namespace);
    this.api = new ApiServerHttp(access, namespace);
    this.watches = new PodWatches(api, access, podsPath());
  }

  // --- the four operations ---

  @Override
  public AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    return watches.watch(name, onPod, onTrouble);
  }

  @Override
  public void mergePatchPod(String name, String mergePatchJson) {
    String what = "patch pod " + name;
    ApiServerHttp.Answer a =
        api.call(what, "PATCH", podPath(name), "application/merge-patch+json", mergePatchJson);
    if (!a.ok()) throw api.failure(what, a);
  }

  @Override
  public PodMeta getPod(String name) {
    Object tree = getOrNull("get pod " + name, podPath(name));
    return tree == null ? null : podMeta(tree);
  }

  @Override
  public LeaseState getLease(String name) {
    Object tree = getOrNull("get lease " + name, leasePath(name));
    return tree == null ? null : leaseState(tree);
  }

  /** The object at {@code path} as a JSON tree, or null when there is none (404). */
  private Object getOrNull(String what, String path) {
    ApiServerHttp.Answer a = api.call(what, "GET", path, null, null);
    if (a.status() == 404) return null;
    if (!a.ok()) throw api.failure(what, a);
    return ApiServerHttp.tree(what, a.body());
  }

  @Override
  public LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration) {
    String what = "update lease " + lease.name();
    // The lease as read (its resourceVersion makes the PUT optimistic), every field kept, renewTime
    // set.
    Map<String, Object> body = Json.map(Json.copy(lease.handle()));
    Map<String, Object> spec =
        body.get("spec") instanceof Map ? Json.map(body.get("spec")) : new LinkedHashMap<>();
    body.put("spec", spec);
    spec.put("renewTime", MICRO_TIME.format(renewTime));
    if (duration != null) {
      Map<String, Object> metadata = body.get("metadata") instanceof Map
          ? Json.map(body.get("metadata"))
          : new LinkedHashMap<>();
      body.put("metadata", metadata);
      Map<String, Object> annotations = metadata.get("annotations") instanceof Map
          ? Json.map(metadata.get("annotations"))
          : new LinkedHashMap<>();
      metadata.put("annotations", annotations);
      annotations.put(
          ContractKeys.LEASE_DURATION_MS_ANNOTATION, String.valueOf(duration.toMillis()));
      spec.put("leaseDurationSeconds", Math.max(1, (duration.toMillis() + 999) / 1000));
    }
    ApiServerHttp.Answer a =
        api.call(what, "PUT", leasePath(lease.name()), "application/json", Json.write(body));
    if (!a.ok()) throw api.failure(what, a);
    return leaseState(ApiServerHttp.tree(what, a.body()));
  }

  @Override
  public LeaseState renewLeaseHeldBy(String name, String holder, long epoch, Instant renewTime) {
    String what = "renew lease " + name;
    String epochPath = "/metadata/annotations/"
        + ContractKeys.LEASE_EPOCH_ANNOTATION.replace("~", "~0").replace("/", "~1");
    String patch = Json.write(List.of(
        Map.of("op", "test", "path", "/spec/holderIdentity", "value", holder),
        Map.of("op", "test", "path", epochPath, "value", String.valueOf(epoch)),
        Map.of("op", "add", "path", "/spec/renewTime", "value", MICRO_TIME.format(renewTime))));
    ApiServerHttp.Answer a =
        api.call(what, "PATCH", leasePath(name), "application/json-patch+json", patch);
    // 422: a test failed (another holder or epoch, or no epoch); 404: no lease. The caller reads it
    // to say why.
    if (a.status() == 422 || a.status() == 404) return null;
    // 403: a Role from before members could patch their Lease (the operator grants it now) or a
    // shared pod's: read and update instead.
    if (a.status() == 403) return MemberApi.super.renewLeaseHeldBy(name, holder, epoch, renewTime);
    if (!a.ok()) throw api.failure(what, a);
    return leaseState(ApiServerHttp.tree(what, a.body()));
  }

  @Override
  public void close() {
    watches.close();
    api.shutdownNow();
  }

  /** Watch connections opened so far (a watch that ended and resumed counts again): for tests and diagnostics. */
  public long watchConnections() {
    return watches.watchConnections();
  }

  /** Lists made after the first one of a watch (on 410 Gone, or after a failure with no resourceVersion). */
  public long relists() {
    return watches.relists();
  }

  // --- paths ---

  private String podsPath() {
    return "/api/v1/namespaces/" + ApiServerHttp.enc(namespace) + "/pods";
  }

  private String podPath(String name) {
    return podsPath() + "/" + ApiServerHttp.enc(name);
  }

  private String leasePath(String name) {
    return "/apis/coordination.k8s.io/v1/namespaces/" + ApiServerHttp.enc(namespace) + "/leases/"
        + ApiServerHttp.enc(name);
  }

  // --- JSON ---

  static PodMeta podMeta(Object pod) {
    Map<String, Object> md = Json.map(Json.map(pod).get("metadata"));
    Object status = Json.map(pod).get("status");
    return new PodMeta(
        Json.text(md, "name"),
        Json.strings(md.get("labels")),
        Json.strings(md.get("annotations")),
        status instanceof Map ? Json.text(Json.map(status), "podIP") : null);
  }

  static LeaseState leaseState(Object lease) {
    if (!(lease instanceof Map))
      throw new MemberApiException(0, "a Lease answer is not a JSON object");
    Map<String, Object> l = Json.map(lease);
    Map<String, Object> md = Json.map(l.get("metadata"));
    Map<String, Object> spec = Json.map(l.get("spec"));
    Long seconds = spec.get("leaseDurationSeconds") instanceof Number n ? n.longValue() : null;
    return new LeaseState(
        Json.text(md, "name"),
        Json.text(md, "resourceVersion"),
        Json.text(spec, "holderIdentity"),
        seconds == null ? null : seconds.intValue(),
        Json.strings(md.get("annotations")),
        l);
  }
}
