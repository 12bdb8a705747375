package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationSpec {
  @Default("Synchronous")
  @JsonPropertyDescription(
      "Synchronous: a write returns once the standby holds it. Asynchronous: it returns after the local append and the standby trails. Journal: begin/end markers of stimuli are replicated synchronously, so a promoted standby knows what was in flight.")
  private ReplicationMode mode = ReplicationMode.Synchronous;

  @Default("Required")
  @JsonPropertyDescription(
      "Synchronous and Journal only: what the primary does while it has no standby (just promoted, or its standby being replaced). Required: writes wait for a standby, so no acknowledged write is ever on one copy only. Preferred: it acknowledges on its own durable write until the new standby's replication session starts, so a failover costs clients about the time traffic takes to move, not the time a new standby takes to start; a write acknowledged alone is lost if this primary fails too before the standby copied it (two failures within seconds).")
  private DataDurability dataDurability = DataDurability.Required;

  @Min(0)
  @JsonPropertyDescription(
      "Asynchronous only: the most updates the standby may trail by and still be promoted. Absent: any lag may be promoted (availability over consistency).")
  private Long maxPromotableLag;

  @Default("256Mi")
  @io.fabric8.generator.annotation.Pattern("^[0-9]{1,9}(Ki|Mi|Gi)?$")
  @JsonPropertyDescription(
      "How much log the primary keeps behind its head (for example 256Mi, at most 1024Gi), so a returning standby catches up from its last sequence without a full copy; older history is covered by snapshots.")
  private String logRetention = "256Mi";

  @Default("true")
  @JsonPropertyDescription(
      "Whether the sidecars seal the replication stream (AES-256-GCM under per-connection keys from the unit's peer key). false: frames after the mutual authentication go in plaintext (once neither member asks for sealing), for networks that encrypt pod traffic already (WireGuard, a mesh); the sidecars then also run without the optimizing compiler the cipher needs, and use less memory and CPU.")
  private Boolean encryptStream = true;

  @io.fabric8.generator.annotation.Pattern("^[0-9]{1,9}(Ki|Mi|Gi)?$")
  @JsonPropertyDescription(
      "About how much state (keys and values) the unit holds, for example 64Mi (at most 64Gi). The sidecar keeps the state in memory: the operator sizes the sidecar's heap (twice this plus 18Mi, at least 32Mi; 23Mi gives the default 64Mi) and its container's memory request and limit from it. Absent: the operator's defaults, enough for about 23Mi of state.")
  private String stateMemory;

  @JsonPropertyDescription(
      "The volume the sidecar keeps its log and snapshots on; an emptyDir when absent.")
  private StorageSpec storage;

  public ReplicationMode getMode() {
    return mode;
  }

  public void setMode(ReplicationMode mode) {
    this.mode = mode;
  }

  public DataDurability getDataDurability() {
    return dataDurability;
  }

  public void setDataDurability(DataDurability dataDurability) {
    this.dataDurability = dataDurability;
  }

  public Long getMaxPromotableLag() {
    return maxPromotableLag;
  }

  public void setMaxPromotableLag(Long maxPromotableLag) {
    this.maxPromotableLag = maxPromotableLag;
  }

  public String getLogRetention() {
    return logRetention;
  }

  public void setLogRetention(String logRetention) {
    this.logRetention = logRetention;
  }

  public Boolean getEncryptStream() {
    return encryptStream;
  }

  public void setEncryptStream(Boolean encryptStream) {
    this.encryptStream = encryptStream;
  }
  /** Absent counts as true. */
  public boolean encryptsStream() {
    return !Boolean.FALSE.equals(encryptStream);
  }

  public String getStateMemory() {
    return stateMemory;
  }

  public void setStateMemory(String stateMemory) {
    this.stateMemory = stateMemory;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }
}
