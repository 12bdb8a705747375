package dev.availability.ou.contract;

/**
 * How much Java heap a sidecar needs for the state it holds. The sidecar keeps the whole state in its
 * heap; the operator sizes the sidecar from a unit's declared state with this, and
 * {@code bench/replication} runs its sidecars with it.
 */
public final class SidecarHeap {
  /** The young generation the sidecar's JVM flags fix ({@code -Xmn10m}). */
  public static final long YOUNG_MIB = 10;
  /** The log writer's queue (1 MiB), its reused buffers (2 MiB) and the frames in flight. */
  public static final long BUFFERS_MIB = 4;
  /** Below this, bursts of large values have no room, whatever the state. */
  public static final long MIN_MIB = 32;

  private SidecarHeap() {}

  /**
   * The heap for {@code stateMiB} of keys and values: the state itself, as much again while a snapshot
   * is written (it holds on to the values rewritten since it began), and half of it more as room for the
   * old generation to fill between full collections; then the young generation and the buffers.
   * 20 MiB of state gives 64 MiB, the sidecar's default heap.
   */
  public static long forStateMiB(long stateMiB) {
    if (stateMiB < 0) throw new IllegalArgumentException("state size must not be negative: " + stateMiB + " MiB");
    return Math.max(MIN_MIB, YOUNG_MIB + BUFFERS_MIB + (stateMiB * 5 + 1) / 2);
  }
}
