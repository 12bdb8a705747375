package dev.availability.ou.contract;

/**
 * How much Java heap a sidecar needs for the state it holds. The sidecar keeps the whole state in its
 * heap; the operator sizes the sidecar from a unit's declared state with this, and
 * {@code bench/replication} runs its sidecars with it.
 */
public final class SidecarHeap {
  /** The young generation the sidecar's JVM flags fix ({@code -Xmn10m}). */
  public static final long YOUNG_MIB = 10;
  /**
   * What lives besides the state: the JVM's and the sidecar's own objects (about 2.5 MiB), the log
   * writer's queue (1 MiB) and reused buffers (2 MiB), frames in flight (measured under
   * {@code bench/replication}'s 128 writers of 4 KiB: up to 10 MiB live besides 7.7 MiB of state).
   */
  public static final long OVERHEAD_MIB = 8;
  /** Below this, bursts of large values have no room, whatever the state. */
  public static final long MIN_MIB = 32;

  private static final long MIB = 1 << 20;

  private SidecarHeap() {}

  /** {@link #forStateMiB} for a state measured in bytes (a started MiB counts), in bytes. */
  public static long forStateBytes(long stateBytes) {
    return forStateMiB(ceilMiB(stateBytes)) * MIB;
  }

  /** Whether a heap of {@code heapBytes} (as {@code -Xmx} sets it) runs out under rewriting a state of {@code stateBytes}. */
  public static boolean tooSmall(long stateBytes, long heapBytes) {
    return forStateBytes(stateBytes) > heapBytes;
  }

  /** The {@code spec.replication.stateMemory} to declare for a state of {@code stateBytes}: a quarter more, to grow into. */
  public static long stateMemoryToDeclareMiB(long stateBytes) {
    return Math.max(1, ceilMiB(stateBytes * 5 / 4));
  }

  public static long ceilMiB(long bytes) {
    return (bytes + MIB - 1) / MIB;
  }

  /**
   * The heap for {@code stateMiB} of keys and values: the state itself, and as much again as room for
   * the old generation to fill with rewritten values between full collections (so their cost per
   * update stays the same whatever the state's size); then the young generation and the rest that
   * lives. Snapshots stream the live state and hold nothing of their own. 23 MiB of state gives 64 MiB,
   * the sidecar's default heap.
   */
  public static long forStateMiB(long stateMiB) {
    return forPoolMiB(stateMiB, 1);
  }

  /**
   * The heap of a pooled sidecar (a shared standby) holding {@code units} units with {@code stateMiB} of state in
   * all: every unit's state twice (as {@link #forStateMiB}), one young generation, and each unit's overhead (its log
   * writer's queue and buffers, its stream's frames in flight; the JVM's own objects counted in each, to be safe).
   * One unit: {@link #forStateMiB}.
   */
  public static long forPoolMiB(long stateMiB, int units) {
    if (stateMiB < 0)
      throw new IllegalArgumentException("state size must not be negative: " + stateMiB + " MiB");
    return Math.max(MIN_MIB, YOUNG_MIB + OVERHEAD_MIB * Math.max(1, units) + 2 * stateMiB);
  }

  /** {@link #forPoolMiB} for the units' state measured in bytes (a started MiB counts), in bytes. */
  public static long forPoolStateBytes(long stateBytes, int units) {
    return forPoolMiB(ceilMiB(stateBytes), units) * MIB;
  }
}
