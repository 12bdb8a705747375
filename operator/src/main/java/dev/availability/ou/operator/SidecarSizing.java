package dev.availability.ou.operator;

import dev.availability.ou.contract.SidecarHeap;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * The sidecar's heap and memory request and limit for a unit that declares how much state it holds
 * ({@code spec.replication.stateMemory}). The sidecar keeps the state in its heap ({@link SidecarHeap}: about
 * twice the state plus 18 MiB, at least 32 MiB), and the JVM around it needs about 56 MiB more
 * (measured by {@code bench/replication}: metaspace, code, threads, the JVM and class-data mappings).
 */
record SidecarSizing(long heapMiB, long requestMiB, long limitMiB) {
  static final long OUTSIDE_HEAP_MIB = 56;
  private static final long MIB = 1024 * 1024;

  /** Empty when the unit does not declare its state's size: the operator's configured defaults apply. */
  static Optional<SidecarSizing> forState(String stateMemory, String defaultLimit) {
    if (stateMemory == null || stateMemory.isBlank()) return Optional.empty();
    BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(stateMemory));
    long stateMiB = bytes
        .add(BigDecimal.valueOf(MIB - 1))
        .divide(BigDecimal.valueOf(MIB), java.math.RoundingMode.DOWN)
        .longValueExact();
    long heap = SidecarHeap.forStateMiB(stateMiB);
    long request = heap + OUTSIDE_HEAP_MIB;
    long configuredLimit = Quantity.getAmountInBytes(new Quantity(defaultLimit))
        .divide(BigDecimal.valueOf(MIB), java.math.RoundingMode.UP)
        .longValue();
    return Optional.of(new SidecarSizing(heap, request, Math.max(configuredLimit, 2 * request)));
  }

  /** The JVM option that caps the heap; placed after the configured options, it wins over their -Xmx. */
  String heapOption() {
    return "-Xmx" + heapMiB + "m";
  }
}
