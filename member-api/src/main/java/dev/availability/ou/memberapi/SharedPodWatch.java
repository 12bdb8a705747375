package dev.availability.ou.memberapi;

import dev.availability.ou.contract.ContractKeys;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One watch of a standby pool's pod feeding every unit's {@link MemberChannel} (docs/pools.md): a pod of N units
 * costs the API server one watch, not N. {@link #start} opens it with the pool's own listener (which units the pod
 * holds), called first on every change; {@link #unitApi()} gives each unit's channel a {@link MemberApi} whose
 * {@code watchPod} of this pod subscribes to the one watch and hears the pod as last seen at once. Every other
 * call goes straight to the api. Units subscribe and leave while the watch runs (a unit joins on a change that
 * assigns it).
 */
public final class SharedPodWatch implements AutoCloseable {
  private final MemberApi api;
  private final String pod;
  private final List<Consumer<MemberApi.PodMeta>> units = new CopyOnWriteArrayList<>();
  private volatile MemberApi.PodMeta last;
  private volatile AutoCloseable watch;

  /** Of pod {@code pod} through {@code api}; {@link #close()} stops the watch, the api stays the caller's. */
  public SharedPodWatch(MemberApi api, String pod) {
    this.api = Objects.requireNonNull(api);
    this.pod = Objects.requireNonNull(pod);
  }

  /**
   * Opens the watch: {@code onPod} hears the pod first (before this returns) and after every change, then each
   * subscribed unit does; {@code onTrouble} hears of failures the api retries by itself.
   */
  public void start(Consumer<MemberApi.PodMeta> onPod, Consumer<String> onTrouble) {
    watch = api.watchPod(
        pod,
        p -> {
          last = p;
          onPod.accept(p); // may subscribe a unit (it hears p at once) or end one's subscription
          for (Consumer<MemberApi.PodMeta> u : units) u.accept(p);
        },
        onTrouble);
  }

  /** The pod as last seen, or null before the first read. */
  public MemberApi.PodMeta last() {
    return last;
  }

  /** Units subscribed now (for tests and diagnostics). */
  public int subscribers() {
    return units.size();
  }

  /** A {@link MemberApi} for one unit's channel on this pod; closing it ends nothing but that unit's subscription. */
  public MemberApi unitApi() {
    return new MemberApi() {
      @Override
      public AutoCloseable watchPod(
          String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
        if (!pod.equals(name)) return api.watchPod(name, onPod, onTrouble);
        units.add(onPod);
        PodMeta seen = last;
        if (seen != null) onPod.accept(seen); // a channel hears the pod before watchPod returns
        return () -> units.remove(onPod);
      }

      @Override
      public void mergePatchPod(String name, String mergePatchJson) {
        api.mergePatchPod(name, mergePatchJson);
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
      public LeaseState renewLease(
          LeaseState lease, Instant renewTime, java.time.Duration duration) {
        return api.renewLease(lease, renewTime, duration);
      }

      @Override
      public void close() {
        // the api and the watch are the pool's
      }
    };
  }

  /**
   * Removes unit {@code unit}'s report from the pod (a unit that left: no report may speak for a replica that is
   * gone); a merge patch whose null removes the key. Failures are thrown ({@link MemberApiException}).
   */
  public void removeReport(String unit) {
    Map<String, Object> annotations = new HashMap<>();
    annotations.put(ContractKeys.reportAnnotation(unit), null);
    api.mergePatchPod(pod, Json.write(Map.of("metadata", Map.of("annotations", annotations))));
  }

  @Override
  public void close() {
    AutoCloseable w = watch;
    units.clear();
    if (w == null) return;
    try {
      w.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
