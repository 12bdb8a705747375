package dev.availability.ou.memberapi;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A member API for tests of what a member reads of pods: {@link #getPod} is the test's, a watch hears the pod once,
 * patches are ignored unless overridden, and there is no Lease.
 */
abstract class PodReadingApi implements MemberApi {
  @Override
  public AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    onPod.accept(getPod(name));
    return () -> {};
  }

  @Override
  public void mergePatchPod(String name, String mergePatchJson) {}

  @Override
  public LeaseState getLease(String name) {
    return null;
  }

  @Override
  public LeaseState renewLease(LeaseState lease, Instant renewTime, Duration duration) {
    return lease;
  }

  @Override
  public void close() {}
}
