package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/** The members' claims ({@code replication.storage}): made before a member's pod, removed once the member is gone for good. */
final class MemberClaims {
  private static final Logger LOG = Logger.getLogger(MemberClaims.class);

  private final KubernetesClient client;
  private final InformerEventSource<PersistentVolumeClaim, OperationalUnit> cache;
  private final Duration grace;

  MemberClaims(
      KubernetesClient client,
      InformerEventSource<PersistentVolumeClaim, OperationalUnit> cache,
      Duration grace) {
    this.client = client;
    this.cache = cache;
    this.grace = grace;
  }

  /**
   * Makes the member's claim unless the unit already has it (a member recreated under its name reuses it, and its
   * data). A claim of that name the unit did not create is never used: NameConflict.
   */
  void ensure(OperationalUnit unit, String pod) {
    PersistentVolumeClaim desired = UnitObjectsBuilder.memberClaim(unit, pod);
    String ns = unit.getMetadata().getNamespace();
    try {
      PersistentVolumeClaim created =
          client.persistentVolumeClaims().inNamespace(ns).resource(desired).create();
      cache.handleRecentResourceCreate(ResourceID.fromResource(created), created);
      return;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
    PersistentVolumeClaim existing = client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .withName(desired.getMetadata().getName())
        .get();
    if (existing == null)
      throw new IllegalStateException(
          "claim " + desired.getMetadata().getName() + " vanished while being created; retrying");
    if (!NameConflicts.ownedBy(existing, unit.getMetadata().getUid()))
      throw new NameConflictException(List.of(NameConflicts.describe(existing)));
    if (existing.getMetadata().getDeletionTimestamp() != null) {
      // A pod on a claim being deleted never starts (and holds the deletion): wait until it is
      // gone, then make it anew.
      throw new IllegalStateException("claim " + existing.getMetadata().getName() + " of member "
          + pod + " is being deleted; the member is created once it is gone");
    }
  }

  /** Deletes the unit's claims whose members are gone for good (see {@link UnusedClaims}). */
  void removeUnused(OperationalUnit unit, Set<String> pods, Instant now) {
    String ns = unit.getMetadata().getNamespace();
    String name = unit.getMetadata().getName();
    List<PersistentVolumeClaim> claims = cache
        .list(
            ns,
            c -> c.getMetadata().getLabels() != null
                && name.equals(c.getMetadata().getLabels().get(ContractKeys.UNIT_LABEL)))
        .toList();
    for (String claim : UnusedClaims.among(
        claims, unit.getMetadata().getUid(), unit.getStatus(), pods, now, grace)) {
      LOG.infof("%s/%s: deleting claim %s, its member is gone for good", ns, name, claim);
      client.persistentVolumeClaims().inNamespace(ns).withName(claim).delete();
    }
  }
}
