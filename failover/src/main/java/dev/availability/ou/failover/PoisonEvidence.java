package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which stimuli a failure convicts: a member promoted by a failover on a fault fails, within {@code window} of that
 * promotion, while its sidecar still lists as unfinished a stimulus that began before the promotion. Such a stimulus
 * was in flight on the previous primary when it failed (Journal mode replicates its BEGIN before the application gets
 * on with it), and this copy was reprocessing it: both copies failed on it, so a third would too. When the
 * application says which stimulus it is reprocessing ({@code OuClient.reprocessing}), only that one is convicted, not
 * those merely in flight beside it (the requests the first copy had under way when the poison killed it). The second failure
 * may come after the promotion completed (a new failover away from it) or before (the failover aborted because its
 * target failed). Pure.
 */
final class PoisonEvidence {
  private PoisonEvidence() {}

  /** The first failure and the promotion it caused: who failed when, who was promoted at which epoch, when decided. */
  record Promotion(
      String failed, Instant failedAt, String promoted, long epoch, Instant decidedAt) {
    /** The last completed failover on a fault, or null. */
    static Promotion of(FailoverTimings t) {
      if (t == null || !FailoverLoop.automatic(t)) return null;
      return new Promotion(
          t.former(),
          first(t.faultObservedAt(), t.decidedAt()),
          t.newPrimary(),
          t.epoch(),
          t.decidedAt());
    }

    /** A failover on a fault under way (its target may fail before it completes), or null. */
    static Promotion of(Intent i) {
      if (i == null
          || i.kind() != PromotionKind.Failover
          || !(i.cause() instanceof PromotionReason.Fault)) return null;
      return new Promotion(
          i.former(),
          first(i.faultObservedAt(), i.decidedAt()),
          i.target(),
          i.epoch(),
          i.decidedAt());
    }

    private static Instant first(Instant a, Instant b) {
      return a != null ? a : b;
    }
  }

  /**
   * The stimuli to quarantine now that {@code failed}, promoted by {@code promotion}, was seen failing at
   * {@code failedAt}; none already in {@code quarantined}; empty when the evidence is not there.
   */
  static List<QuarantinedStimulus> convicted(
      Promotion promotion,
      Member failed,
      Instant failedAt,
      Duration window,
      Collection<String> quarantined,
      Instant now) {
    if (promotion == null || failed == null || !failed.pod().equals(promotion.promoted()))
      return List.of();
    if (Duration.between(promotion.decidedAt(), failedAt).compareTo(window) > 0) return List.of();
    Member.Report r = failed.report();
    // Only a report of this very primacy speaks of what was in flight when it began.
    if (r == null || r.role() != Member.Role.Primary || r.epoch() != promotion.epoch())
      return List.of();
    // What the application said it was reprocessing, when it said so; else everything it held from
    // before its promotion (it may have died on any of them).
    List<String> suspects = r.reprocessingNow().isEmpty() ? r.reprocessing() : r.reprocessingNow();
    List<QuarantinedStimulus> out = new ArrayList<>();
    for (String id : suspects) {
      if (quarantined.contains(id)) continue;
      out.add(new QuarantinedStimulus(
          id,
          List.of(promotion.failed(), failed.pod()),
          List.of(promotion.failedAt(), failedAt),
          now,
          null));
    }
    return out;
  }
}
