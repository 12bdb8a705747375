package dev.availability.ou.replication;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The state's values outside the Java heap: 1 MiB direct buffers, each cut into blocks of one size class
 * (16 B up to 64 KiB in steps of about a third). A rewritten value frees its block for the next value of
 * its class instead of leaving garbage, so the heap, and with it the garbage collector's work and the
 * sidecar's resident memory, no longer grows with the rate at which the application rewrites its state.
 * Values larger than {@link #LARGEST} stay on the heap (few, and they would leave most of a slab idle).
 *
 * <p>One thread stores and frees (the one applying the log); any thread may read a block it got from
 * the state's map, under the state's lock that tells it whether the block was freed meanwhile.
 */
final class ValueSlabs {
  static final int LARGEST = 64 << 10;
  private static final int SLAB_BYTES = 1 << 20;
  private static final int[] SIZES = sizes();

  /** A value in a block: its size class, its block in the class and its length. Immutable. */
  record Ref(int sizeClass, int block, int length) {}

  private final SizeClass[] classes = new SizeClass[SIZES.length];

  ValueSlabs() {
    for (int i = 0; i < SIZES.length; i++) classes[i] = new SizeClass(SIZES[i]);
  }

  /** 16, 24, 32, 40, 48, 64, 80, 96, 128, … up to LARGEST: no block wastes more than about a third. */
  private static int[] sizes() {
    int[] s = new int[64];
    int n = 0;
    for (int p = 16; p <= LARGEST; p *= 2) {
      s[n++] = p;
      if (p + p / 4 <= LARGEST && p >= 32) s[n++] = p + p / 4;
      if (p + p / 2 <= LARGEST) s[n++] = p + p / 2;
    }
    return Arrays.copyOf(s, n);
  }

  /** Copies {@code value} into a block (writer thread); larger values, and empty ones, stay as they are. */
  Object store(byte[] value) {
    if (value.length == 0 || value.length > LARGEST) return value;
    int c = Arrays.binarySearch(SIZES, value.length);
    if (c < 0) c = -c - 1;
    SizeClass k = classes[c];
    int block = k.allocate();
    k.slab(block).put(k.offset(block), value, 0, value.length);
    return new Ref(c, block, value.length);
  }

  /** A copy of the value {@code stored} refers to (a block, or a value kept on the heap). */
  byte[] read(Object stored) {
    if (stored instanceof byte[] b) return b;
    Ref r = (Ref) stored;
    SizeClass k = classes[r.sizeClass()];
    byte[] out = new byte[r.length()];
    k.slab(r.block()).get(k.offset(r.block()), out, 0, r.length());
    return out;
  }

  /** Returns a block to its class (writer thread); the caller makes sure nobody reads it any more. */
  void free(Object stored) {
    if (stored instanceof Ref r) classes[r.sizeClass()].release(r.block());
  }

  /** Direct memory held by the slabs (never returned: the next values of a class reuse its blocks). */
  long reservedBytes() {
    long sum = 0;
    for (SizeClass k : classes) sum += (long) k.slabs.size() * SLAB_BYTES;
    return sum;
  }

  private static final class SizeClass {
    final int size;
    final int perSlab;
    final List<ByteBuffer> slabs = new CopyOnWriteArrayList<>(); // read from any thread, grown by the writer
    int[] free = new int[16];
    int freeCount;
    int used; // blocks ever handed out

    SizeClass(int size) {
      this.size = size;
      this.perSlab = SLAB_BYTES / size;
    }

    int allocate() {
      if (freeCount > 0) return free[--freeCount];
      if (used == slabs.size() * perSlab) slabs.add(ByteBuffer.allocateDirect(SLAB_BYTES));
      return used++;
    }

    void release(int block) {
      if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
      free[freeCount++] = block;
    }

    ByteBuffer slab(int block) {
      return slabs.get(block / perSlab);
    }

    int offset(int block) {
      return (block % perSlab) * size;
    }
  }
}
