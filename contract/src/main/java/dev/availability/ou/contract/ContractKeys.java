package dev.availability.ou.contract;

/**
 * The names through which the operator and the sidecars talk via the API server. One contract, two users:
 * the operator writes assignments and reads reports; a sidecar (or the test double) does the opposite.
 */
public final class ContractKeys {
  public static final String PREFIX = "ou.availability.dev/";
  /** Label: the unit a pod belongs to. */
  public static final String UNIT_LABEL = PREFIX + "unit";
  /** Label: the pod's own name, so a Service selector can pin exactly one member. */
  public static final String MEMBER_LABEL = PREFIX + "member";
  /** Label: primary | standby | fenced, for people and selectors (the assignment annotation is authoritative). */
  public static final String ROLE_LABEL = PREFIX + "role";
  /** Annotation written by the operator: the member's {@link Assignment} as JSON. */
  public static final String ASSIGNMENT_ANNOTATION = PREFIX + "assignment";
  /** Annotation written by the member's sidecar: its {@link MemberReport} as JSON. */
  public static final String REPORT_ANNOTATION = PREFIX + "report";
  /** Lease annotation: the lease duration in milliseconds (Lease.leaseDurationSeconds is too coarse). */
  public static final String LEASE_DURATION_MS_ANNOTATION = PREFIX + "lease-duration-ms";
  /** Lease annotation: the epoch of the holder. */
  public static final String LEASE_EPOCH_ANNOTATION = PREFIX + "epoch";
  /** Name of the sidecar container the operator injects. */
  public static final String SIDECAR_CONTAINER = "ou-sidecar";
  /** Port the sidecars replicate on. */
  public static final int REPLICATION_PORT = 7480;
  /** Port of the sidecar's local API for the application (loopback). */
  public static final int LOCAL_API_PORT = 7481;

  /** Label on a standby pool's pod (docs/pools.md): the pool it belongs to. */
  public static final String POOL_LABEL = PREFIX + "pool";

  private ContractKeys() {}

  /**
   * Label on a standby pool's pod: it holds unit {@code unit}'s replica (one label per unit; a pod serves
   * several units, so the single {@link #UNIT_LABEL} cannot say it).
   */
  public static String poolUnitLabel(String unit) {
    return POOL_UNIT_LABEL_PREFIX + unit;
  }

  /** The value of every {@link #poolUnitLabel} (the label's presence says it; the value is for selectors). */
  public static final String POOL_UNIT_LABEL_VALUE = "member";

  private static final String POOL_UNIT_LABEL_PREFIX = "unit." + PREFIX;
  private static final String POOL_ASSIGNMENT_PREFIX = "assignment." + PREFIX;
  private static final String POOL_REPORT_PREFIX = "report." + PREFIX;

  /** The unit a {@link #poolUnitLabel} names, or null when {@code key} is no such label. */
  public static String unitOfPoolUnitLabel(String key) {
    return suffix(key, POOL_UNIT_LABEL_PREFIX);
  }

  /** The unit an {@link #assignmentAnnotation(String)} is for, or null when {@code key} is no such annotation. */
  public static String unitOfAssignmentAnnotation(String key) {
    return suffix(key, POOL_ASSIGNMENT_PREFIX);
  }

  /** The unit a {@link #reportAnnotation(String)} is for, or null when {@code key} is no such annotation. */
  public static String unitOfReportAnnotation(String key) {
    return suffix(key, POOL_REPORT_PREFIX);
  }

  private static String suffix(String key, String prefix) {
    return key != null && key.length() > prefix.length() && key.startsWith(prefix)
        ? key.substring(prefix.length())
        : null;
  }

  /** Annotation on a standby pool's pod: unit {@code unit}'s {@link Assignment} (a dedicated member uses {@link #ASSIGNMENT_ANNOTATION}). */
  public static String assignmentAnnotation(String unit) {
    return POOL_ASSIGNMENT_PREFIX + unit;
  }

  /** Annotation on a standby pool's pod: its {@link MemberReport} for unit {@code unit} (a dedicated member uses {@link #REPORT_ANNOTATION}). */
  public static String reportAnnotation(String unit) {
    return POOL_REPORT_PREFIX + unit;
  }

  /** The Lease the primary's sidecar renews; the operator may promote once it has expired. */
  public static String primaryLeaseName(String unit) {
    return unit + "-primary";
  }

  /** The Secret holding the key both sidecars of a unit authenticate each other with. */
  public static String peerSecretName(String unit) {
    return unit + "-peer-key";
  }
}
