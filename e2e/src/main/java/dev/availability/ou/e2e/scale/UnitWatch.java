package dev.availability.ou.e2e.scale;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The namespace's units as a watch sees them: phases, primaries and failover counts, without listing them again and again. */
final class UnitWatch implements AutoCloseable {
  private final SharedIndexInformer<OperationalUnit> units;

  UnitWatch(KubernetesClient admin, String namespace) {
    units = admin
        .resources(OperationalUnit.class)
        .inNamespace(namespace)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(OperationalUnit u) {}

          @Override
          public void onUpdate(OperationalUnit o, OperationalUnit u) {}

          @Override
          public void onDelete(OperationalUnit u, boolean unknown) {}
        });
  }

  List<OperationalUnit> all() {
    return units.getStore().list();
  }

  Optional<OperationalUnit> get(String name) {
    return all().stream().filter(u -> name.equals(u.getMetadata().getName())).findFirst();
  }

  static UnitPhase phase(OperationalUnit u) {
    return u.getStatus() == null ? null : u.getStatus().getPhase();
  }

  static String primary(OperationalUnit u) {
    return u.getStatus() == null || u.getStatus().getPrimary() == null
        ? null
        : u.getStatus().getPrimary().getPod();
  }

  static int failovers(OperationalUnit u) {
    return u.getStatus() == null || u.getStatus().getFailovers() == null
        ? 0
        : u.getStatus().getFailovers();
  }

  /** Protected in its status, and its standby's own report says in sync at the unit's epoch ({@link ScaleMembers#reportedInSync}). */
  static boolean isProtected(OperationalUnit u, ScaleMembers members) {
    var s = u.getStatus();
    return phase(u) == UnitPhase.Protected
        && s.getStandby() != null
        && s.getEpoch() != null
        && members.reportedInSync(s.getStandby().getPod(), s.getEpoch());
  }

  long protectedCount(ScaleMembers members) {
    return all().stream().filter(u -> isProtected(u, members)).count();
  }

  /** Failovers so far, by unit. */
  Map<String, Integer> failoversByUnit() {
    Map<String, Integer> m = new TreeMap<>();
    for (OperationalUnit u : all()) m.put(u.getMetadata().getName(), failovers(u));
    return m;
  }

  /** Units by phase ("none" before their first status). */
  Map<String, Long> phases() {
    Map<String, Long> m = new TreeMap<>();
    for (OperationalUnit u : all())
      m.merge(
          String.valueOf(Optional.ofNullable(phase(u)).map(Enum::name).orElse("none")),
          1L,
          Long::sum);
    return m;
  }

  @Override
  public void close() {
    units.close();
  }
}
