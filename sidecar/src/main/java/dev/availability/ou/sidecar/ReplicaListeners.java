package dev.availability.ou.sidecar;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Who hears of the replica's records (written, durable) and of its role changes, and telling them. */
final class ReplicaListeners {
  private final List<Consumer<Replica.RoleView>> roleListeners = new CopyOnWriteArrayList<>();
  private final List<LogWriter.BatchListener> writtenListeners = new CopyOnWriteArrayList<>();
  private final List<LongConsumer> durableListeners = new CopyOnWriteArrayList<>();

  void onWritten(LogWriter.BatchListener l) {
    writtenListeners.add(l);
  }

  void onDurable(LongConsumer l) {
    durableListeners.add(l);
  }

  void removeListener(Object l) {
    writtenListeners.remove(l);
    durableListeners.remove(l);
  }

  void addRoleListener(Consumer<Replica.RoleView> listener) {
    roleListeners.add(listener);
  }

  void removeRoleListener(Consumer<Replica.RoleView> listener) {
    roleListeners.remove(listener);
  }

  void written(long first, long last, byte[] bytes, int n) {
    for (LogWriter.BatchListener l : writtenListeners) l.written(first, last, bytes, n);
  }

  void durable(long seq) {
    for (LongConsumer l : durableListeners) l.accept(seq);
  }

  void publish(Replica.RoleView v) {
    for (Consumer<Replica.RoleView> l : roleListeners) {
      try {
        l.accept(v);
      } catch (RuntimeException e) {
        Logs.error("role listener failed", e);
      }
    }
  }
}
