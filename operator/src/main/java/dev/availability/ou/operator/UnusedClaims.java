package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which of a unit's member claims to delete: those of members gone for good. New members always get new names
 * (a replaced standby, a deposed primary's successor), so without this their claims would pile up. Pure.
 */
final class UnusedClaims {
  private UnusedClaims() {}

  /**
   * Names of the claims to delete: the unit's own (owner reference), not already being deleted, whose member is
   * neither named by the status (primary, standby, a failover under way's target and former primary) nor an
   * existing pod, and older than {@code grace}. The grace covers what the caches may not show yet: a claim made for a
   * member whose pod or status entry has not reached the informers. (Kubernetes' pvc-protection also defers
   * deleting a claim while a pod uses it.)
   */
  static List<String> among(
      Collection<PersistentVolumeClaim> claims,
      String unitUid,
      OperationalUnitStatus status,
      Set<String> pods,
      Instant now,
      Duration grace) {
    // A unit that names no primary yet (new, or its status lost) is bootstrapping: keep everything
    // until it does.
    if (status == null || status.getPrimary() == null) return List.of();
    Set<String> members = new HashSet<>(pods);
    members.addAll(named(status));
    return claims.stream()
        .filter(c -> NameConflicts.ownedBy(c, unitUid))
        .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .filter(c -> member(c).map(m -> !members.contains(m)).orElse(false))
        .filter(c -> olderThan(c, now, grace))
        .map(c -> c.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** The members the status names. */
  private static Set<String> named(OperationalUnitStatus status) {
    Stream<String> primary = Optional.ofNullable(status.getPrimary()).map(p -> p.getPod()).stream();
    Stream<String> standby = Optional.ofNullable(status.getStandby()).map(s -> s.getPod()).stream();
    Stream<String> failover = Optional.ofNullable(status.getFailover()).stream()
        .flatMap(f -> Stream.of(f.getTargetPrimary(), f.getFormerPrimary()));
    return Stream.of(primary, standby, failover)
        .flatMap(s -> s)
        .filter(Objects::nonNull)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static Optional<String> member(PersistentVolumeClaim c) {
    Map<String, String> labels = c.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(ContractKeys.MEMBER_LABEL));
  }

  /** A creation time that does not parse keeps the claim: deleting data is never done on a guess. */
  private static boolean olderThan(PersistentVolumeClaim c, Instant now, Duration grace) {
    try {
      Instant created = Times.parse(c.getMetadata().getCreationTimestamp());
      return created != null && !now.isBefore(created.plus(grace));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
