package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A promoted member's stimuli to reprocess: those begun before its promotion and not ended (its previous primary had
 * them in flight), and of these the ones its application said it is reprocessing at this primacy.
 */
final class Reprocessing {
  private final Replica replica;
  private final Store store;
  // The stimuli the application said it is reprocessing, with the epoch it said so at.
  private final Map<String, Long> now = new java.util.concurrent.ConcurrentHashMap<>();

  Reprocessing(Replica replica, Store store) {
    this.replica = replica;
    this.store = store;
  }

  /** As primary: the open stimuli begun before the promotion, oldest first, at most {@code max}; empty as standby. */
  List<String> open(int max) {
    if (replica.role() != Role.Primary) return List.of();
    long promotedAt = replica.promotionSeq();
    return store.state().openStimuli().entrySet().stream()
        .filter(e -> e.getValue() < promotedAt)
        .sorted(Map.Entry.comparingByValue())
        .limit(max)
        .map(e -> new String(e.getKey().bytes(), StandardCharsets.UTF_8))
        .toList();
  }

  /** The application is about to reprocess {@code id} (at this primacy). */
  void now(String id) {
    now.put(id, replica.epoch());
  }

  /** Of {@link #open}, those the application said it is reprocessing at this primacy. */
  List<String> now(int max) {
    long epoch = replica.epoch();
    now.values().removeIf(e -> e != epoch);
    return open(max).stream().filter(now::containsKey).toList();
  }
}
