package dev.availability.ou.sidecar;

/**
 * Makes each unit's control source: where its role, epoch and peer come from. One per unit, so a pooled sidecar's
 * units can each be driven on their own (standalone now; a Kubernetes control per unit plugs in here).
 */
@FunctionalInterface
interface UnitControls {
  /** The control source of {@code unit} (null in a sidecar that is not pooled), configured by {@code unitCfg}. */
  ControlSource control(String unit, Config unitCfg);

  /** OU_CONTROL's choice: Kubernetes (the operator, through the pod) or standalone (flags and ASSIGN). */
  static UnitControls of(Config cfg) {
    return cfg.control().equals("kubernetes")
        ? (unit, c) -> new KubernetesControl(c)
        : (unit, c) -> new StandaloneControl(c);
  }
}
