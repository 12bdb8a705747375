package dev.availability.ou.sidecar;

import dev.availability.ou.contract.SidecarHeap;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Warns while the state is larger than the heap was sized for. The sidecar keeps the whole state in its
 * heap; under steady rewriting a heap below {@link SidecarHeap#forStateMiB} runs out, and the sidecar
 * then exits and restarts. The warning names the fix before that happens.
 */
final class HeapWatch {
  private static final long MIB = 1 << 20;
  /** Runtime.maxMemory() leaves out one survivor space (a tenth of the fixed young generation). */
  private static final long SURVIVOR_BYTES = SidecarHeap.YOUNG_MIB * MIB / 10;

  private final LongSupplier stateBytes;
  private final LongSupplier stateKeys;
  private final IntSupplier units;
  private final boolean pooled;
  private final long heapBytes;
  private final Counters counters;
  private boolean tooSmall;

  /** {@code maxHeapBytes}: {@code Runtime.maxMemory()}. */
  HeapWatch(LongSupplier stateBytes, LongSupplier stateKeys, long maxHeapBytes, Counters counters) {
    this(stateBytes, stateKeys, null, maxHeapBytes, counters);
  }

  /** For a pooled sidecar (null {@code units}: not pooled): its units share the heap ({@link SidecarHeap#forPoolMiB}). */
  HeapWatch(
      LongSupplier stateBytes,
      LongSupplier stateKeys,
      IntSupplier units,
      long maxHeapBytes,
      Counters counters) {
    this.pooled = units != null;
    this.units = pooled ? units : () -> 1;
    this.stateBytes = stateBytes;
    this.stateKeys = stateKeys;
    this.heapBytes = maxHeapBytes + SURVIVOR_BYTES;
    this.counters = counters;
  }

  /** The heap the state needs now ({@link SidecarHeap}; a pool's units each add their overhead). */
  long neededBytes() {
    return SidecarHeap.forPoolStateBytes(stateBytes.getAsLong(), units.getAsInt());
  }

  /** The heap as configured ({@code -Xmx}). */
  long heapBytes() {
    return heapBytes;
  }

  /** Periodic: warns once each time the state grows past what the heap holds, and says when it fits again. */
  synchronized void check() {
    long state = stateBytes.getAsLong();
    long needed = neededBytes();
    boolean small = needed > heapBytes;
    if (small && !tooSmall) {
      counters.inc("heapTooSmallWarnings");
      if (pooled) {
        Logs.warn(String.format(
            Locale.ROOT,
            "the %d units of this shared standby hold %d MiB (%d keys) together; under steady rewriting that needs"
                + " a %d MiB heap (10 MiB + 8 MiB a unit + twice the state) and this sidecar has %d MiB: give the"
                + " shared standby more memory, or fewer units, before it runs out of memory and restarts",
            units.getAsInt(),
            SidecarHeap.ceilMiB(state),
            stateKeys.getAsLong(),
            needed / MIB,
            heapBytes / MIB));
      } else
        Logs.warn(String.format(
            Locale.ROOT,
            "the state holds %d MiB (%d keys); under steady rewriting that needs a %d MiB heap and this sidecar"
                + " has %d MiB: declare spec.replication.stateMemory: %dMi or more (the operator then sizes the heap), or raise -Xmx, before the"
                + " sidecar runs out of memory and restarts",
            SidecarHeap.ceilMiB(state),
            stateKeys.getAsLong(),
            needed / MIB,
            heapBytes / MIB,
            SidecarHeap.stateMemoryToDeclareMiB(state)));
    } else if (!small && tooSmall) {
      Logs.info(String.format(
          Locale.ROOT, "the state (%d MiB) fits the heap again", SidecarHeap.ceilMiB(state)));
    }
    tooSmall = small;
  }

  synchronized boolean tooSmall() {
    return tooSmall;
  }
}
