package dev.availability.ou.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** An informer's pod events as the sidecar doubles use them: a pod seen (added or changed), a pod gone. */
public final class PodEvents {
  private PodEvents() {}

  public static ResourceEventHandler<Pod> handler(Consumer<Pod> seen, Consumer<Pod> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p) {
        seen.accept(p);
      }

      @Override
      public void onUpdate(Pod o, Pod p) {
        seen.accept(p);
      }

      @Override
      public void onDelete(Pod p, boolean unknown) {
        gone.accept(p);
      }
    };
  }
}
