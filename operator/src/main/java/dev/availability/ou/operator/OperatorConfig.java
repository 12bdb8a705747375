package dev.availability.ou.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The operator's own settings (application.properties, environment OU_..., or Helm values). */
@ConfigMapping(prefix = "ou")
public interface OperatorConfig {

  Sidecar sidecar();

  /** Reconcile every unit at least this often, even when nothing changes. */
  @WithDefault("30s")
  Duration resync();

  LeaderElection leaderElection();

  /**
   * How old a member's claim must be before it is deleted once its member is gone for good (neither named by the
   * unit's status nor a pod): longer than the caches may lag behind the operator's own writes.
   */
  @WithDefault("2m")
  Duration memberClaimGrace();

  /**
   * Whether each unit gets a NetworkPolicy that lets only its own member pods reach the replication port (every
   * other port stays open to all). Off for clusters whose network plugin does not enforce NetworkPolicies, or that
   * manage them elsewhere.
   */
  @WithDefault("true")
  boolean networkPolicy();

  interface Sidecar {
    /** Image of the state-streaming sidecar injected into every member pod. */
    @WithDefault("ou-operator:0.1.0")
    String image();

    /** Its command. */
    @WithDefault("java,-jar,/deployments/sidecar/ou-sidecar.jar")
    List<String> command();

    /** JVM options of the sidecar (JAVA_TOOL_OPTIONS): small and steady; raise -Xmx with the unit's state. */
    @WithDefault(
        "-XX:+UseSerialGC -Xms16m -Xmx64m -Xmn10m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:MaxMetaspaceSize=48m -Xss512k -XX:CICompilerCount=2 -XX:ReservedCodeCacheSize=32m -XX:TrimNativeHeapInterval=5000 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError -Djdk.nio.maxCachedBufferSize=262144")
    String javaOptions();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    @WithDefault("50m")
    String cpuRequest();

    @WithDefault("96Mi")
    String memoryRequest();

    @WithDefault("256Mi")
    String memoryLimit();

    /** fsync policy of the sidecar's log (see docs/sidecar-api.md). */
    Optional<String> fsync();
  }

  interface LeaderElection {
    /** Elect a leader among operator replicas (a Lease); only the leader reconciles. */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("ou-operator-leader")
    String leaseName();

    /** How long a lost leader keeps the lease; a standby operator takes over after it. */
    @WithDefault("10s")
    Duration leaseDuration();

    /** Namespace of the leader Lease; the operator's own namespace when it runs in a pod. */
    Optional<String> leaseNamespace();
  }
}
