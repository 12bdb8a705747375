package dev.availability.ou.client;

import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the WATCH stream's lists of unavailable dependencies into one {@link DependencyChange} per dependency that
 * changed: at subscription, one for each unavailable then; later, one for each that went or came back. The lists' codec is
 * {@link LocalProtocol#readNames}.
 */
final class DependencyTracker implements Consumer<RoleChange> {
  private final Consumer<DependencyChange> listener;
  private List<String> known = List.of();

  DependencyTracker(Consumer<DependencyChange> listener) {
    this.listener = listener;
  }

  @Override
  public synchronized void accept(RoleChange c) {
    List<String> now = c.unavailableDependencies();
    for (String d : now)
      if (!known.contains(d)) listener.accept(new DependencyChange(d, false, now));
    for (String d : known)
      if (!now.contains(d)) listener.accept(new DependencyChange(d, true, now));
    known = now;
  }
}
