package dev.availability.ou.e2e.scale;

import dev.availability.ou.memberapi.MemberApi;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The members' {@link MemberApi}, counting each call on the client side: the cross-check of what the API server says
 * the members sent (and the split by operation when its metrics cannot give one).
 */
final class CountingMemberApi implements MemberApi {
  private final MemberApi api;
  private final LongAdder leaseGets = new LongAdder();
  private final LongAdder leasePuts = new LongAdder();
  private final LongAdder podPatches = new LongAdder();
  private final LongAdder podGets = new LongAdder();
  private final LongAdder watchesStarted = new LongAdder();

  CountingMemberApi(MemberApi api) {
    this.api = api;
  }

  @Override
  public AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    watchesStarted.increment();
    return api.watchPod(name, onPod, onTrouble);
  }

  @Override
  public void mergePatchPod(String name, String mergePatchJson) {
    podPatches.increment();
    api.mergePatchPod(name, mergePatchJson);
  }

  @Override
  public PodMeta getPod(String name) {
    podGets.increment();
    return api.getPod(name);
  }

  @Override
  public LeaseState getLease(String name) {
    leaseGets.increment();
    return api.getLease(name);
  }

  @Override
  public LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration) {
    leasePuts.increment();
    return api.renewLease(lease, renewTime, duration);
  }

  @Override
  public void close() {
    api.close();
  }

  /** Calls so far, by "verb resource". */
  Map<String, Long> counts() {
    Map<String, Long> m = new TreeMap<>();
    m.put("update leases", leasePuts.sum());
    m.put("get leases", leaseGets.sum());
    m.put("patch pods", podPatches.sum());
    m.put("get pods", podGets.sum());
    m.put("watch pods (members started)", watchesStarted.sum());
    return m;
  }
}
