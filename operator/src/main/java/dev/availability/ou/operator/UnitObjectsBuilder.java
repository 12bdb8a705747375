package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StorageSpec;
import dev.availability.ou.api.UnitPort;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The unit's supporting objects, each a pure function of the unit (and, for the Service, its primary). */
final class UnitObjectsBuilder {
  private static final SecureRandom RANDOM = new SecureRandom();

  private UnitObjectsBuilder() {}

  /** The client Service: its selector pins the primary pod, so one write of it moves all traffic. */
  static Service service(OperationalUnit unit, String primaryPod) {
    List<ServicePort> ports = unit.getSpec().getService().getPorts().stream()
        .map(UnitObjectsBuilder::port)
        .toList();
    return new ServiceBuilder()
        .withMetadata(meta(unit, unit.getMetadata().getName()))
        .withNewSpec()
        .withType(unit.getSpec().getService().getType().name())
        .withPorts(ports)
        .withSelector(Map.of(
            ContractKeys.UNIT_LABEL,
            unit.getMetadata().getName(),
            ContractKeys.MEMBER_LABEL,
            primaryPod))
        .endSpec()
        .build();
  }

  private static ServicePort port(UnitPort p) {
    return new ServicePortBuilder()
        .withName(p.getName())
        .withPort(p.getPort())
        .withProtocol(p.getProtocol().name())
        .withAppProtocol(p.getAppProtocol())
        .withTargetPort(
            new IntOrString(p.getTargetPort() != null ? p.getTargetPort() : p.getPort()))
        .build();
  }

  /**
   * Voluntary disruptions (drains, evictions) may never take the serving primary: the budget selects only that member,
   * with minAvailable 1, so its eviction is refused while the standby stays evictable. (maxUnavailable would need the
   * owner's scale subresource to count the expected pods, which a unit does not have: the disruption controller then
   * refuses every eviction it covers, healthy or not.) It follows the primary through
   * failovers and switchovers ({@link PrimaryDisruptionBudget}); when the primary's node is cordoned the operator
   * switches over first, and the eviction then meets a former primary. An unready primary may be evicted (AlwaysAllow):
   * it serves nothing, and a drain must not wait on a unit that is failing over anyway.
   */
  static PodDisruptionBudget disruptionBudget(OperationalUnit unit, String primaryPod) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(unit, unit.getMetadata().getName()))
        .withNewSpec()
        .withNewMinAvailable(1)
        .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .withNewSelector()
        .addToMatchLabels(ContractKeys.UNIT_LABEL, unit.getMetadata().getName())
        .addToMatchLabels(ContractKeys.MEMBER_LABEL, primaryPod)
        .endSelector()
        .endSpec()
        .build();
  }

  /** The unit's PodDisruptionBudget by name only. */
  static PodDisruptionBudget disruptionBudgetName(OperationalUnit unit) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(unit, unit.getMetadata().getName()))
        .build();
  }

  /** The key both sidecars authenticate each other with; created once, never rewritten. */
  static Secret peerKey(OperationalUnit unit) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return new SecretBuilder()
        .withMetadata(meta(unit, ContractKeys.peerSecretName(unit.getMetadata().getName())))
        .withType("Opaque")
        .withData(Map.of("key", Base64.getEncoder().encodeToString(key)))
        .build();
  }

  static ServiceAccount memberServiceAccount(OperationalUnit unit) {
    return new ServiceAccountBuilder()
        .withMetadata(meta(unit, Naming.memberServiceAccount(unit.getMetadata().getName())))
        .build();
  }

  /**
   * What a member's sidecar may do: read pods of its namespace (its own assignment, its peer's endpoint),
   * patch pods (a ValidatingAdmissionPolicy limits that to its own pod's report), renew the unit's lease.
   */
  static Role memberRole(OperationalUnit unit) {
    String name = unit.getMetadata().getName();
    return new RoleBuilder()
        .withMetadata(meta(unit, Naming.memberRole(name)))
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get", "list", "watch", "patch")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withResourceNames(ContractKeys.primaryLeaseName(name))
                .withVerbs("get", "update", "patch")
                .build())
        .build();
  }

  static RoleBinding memberRoleBinding(OperationalUnit unit, String serviceAccount) {
    String name = unit.getMetadata().getName();
    return new RoleBindingBuilder()
        .withMetadata(meta(unit, Naming.memberRole(name)))
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", Naming.memberRole(name))
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(serviceAccount)
        .withNamespace(unit.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  /**
   * Only the unit's own member pods may open the replication port; every other port of the members stays open
   * to all (the application's ports, the health port the kubelet probes). NetworkPolicies allow only what they
   * list once they select a pod, so the other ports are listed as ranges around the replication port.
   */
  static NetworkPolicy replicationPolicy(OperationalUnit unit) {
    String name = unit.getMetadata().getName();
    int repl = ContractKeys.REPLICATION_PORT;
    return new NetworkPolicyBuilder()
        .withMetadata(meta(unit, name + "-replication"))
        .withNewSpec()
        .withNewPodSelector()
        .addToMatchLabels(ContractKeys.UNIT_LABEL, name)
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .addNewFrom()
        .withNewPodSelector()
        .addToMatchLabels(ContractKeys.UNIT_LABEL, name)
        .endPodSelector()
        .endFrom()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(repl))
        .endPort()
        .endIngress()
        .addNewIngress()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(1))
        .withEndPort(repl - 1)
        .endPort()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(repl + 1))
        .withEndPort(65535)
        .endPort()
        .addNewPort()
        .withProtocol("UDP")
        .withPort(new IntOrString(1))
        .withEndPort(65535)
        .endPort()
        .endIngress()
        .endSpec()
        .build();
  }

  /**
   * The claim a member keeps its log on ({@code replication.storage}). Owned by the unit, not the pod: it outlives
   * its member, so the member recreated under the same name restarts on its data; it goes with the unit.
   */
  static PersistentVolumeClaim memberClaim(OperationalUnit unit, String pod) {
    StorageSpec storage = unit.getSpec().getReplication().getStorage();
    return new PersistentVolumeClaimBuilder()
        .withMetadata(meta(unit, Naming.memberClaim(pod)))
        .editMetadata()
        .addToLabels(ContractKeys.MEMBER_LABEL, pod)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(storage.getSize()))
        .endResources()
        .endSpec()
        .build();
  }

  /** The unit's Service by name only: what to look up before it is first written. */
  static Service serviceName(OperationalUnit unit) {
    return new ServiceBuilder()
        .withMetadata(meta(unit, unit.getMetadata().getName()))
        .build();
  }

  /** The unit's primary Lease by name only. */
  static Lease leaseName(OperationalUnit unit) {
    return new LeaseBuilder()
        .withMetadata(
            meta(unit, ContractKeys.primaryLeaseName(unit.getMetadata().getName())))
        .build();
  }

  static ObjectMeta meta(OperationalUnit unit, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(unit.getMetadata().getNamespace())
        .withLabels(Map.of(
            ContractKeys.UNIT_LABEL,
            unit.getMetadata().getName(),
            Naming.MANAGED_BY,
            Naming.OPERATOR))
        .withOwnerReferences(owner(unit))
        .build();
  }

  static OwnerReference owner(HasMetadata unit) {
    return new OwnerReferenceBuilder()
        .withApiVersion(unit.getApiVersion())
        .withKind(unit.getKind())
        .withName(unit.getMetadata().getName())
        .withUid(unit.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
