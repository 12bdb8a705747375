package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The state's values outside the heap: what is read is what was written, blocks are reused, images hold still. */
class KvStateTest {
  static final long TERM = Terms.of(1, 1);

  KvState state = new KvState(0);
  long seq;

  void put(String key, byte[] value) {
    state.apply(LogRecord.put(++seq, TERM, key.getBytes(), value));
  }

  static byte[] filled(int length, int b) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) b);
    return v;
  }

  @Test
  void valuesOfEverySizeReadBackAsWritten() {
    int[] lengths = {0, 1, 15, 16, 17, 100, 4096, 4097, 65536, 65537, 1 << 20};
    for (int i = 0; i < lengths.length; i++) put("k" + i, filled(lengths[i], i + 1));
    for (int i = 0; i < lengths.length; i++) assertThat(state.get(Key.of("k" + i))).isEqualTo(filled(lengths[i], i + 1));
    state.apply(LogRecord.delete(++seq, TERM, "k6".getBytes()));
    assertThat(state.get(Key.of("k6"))).isNull();
    assertThat(state.scan(null, 100)).extracting(e -> e.getKey()).doesNotContain(Key.of("k6")).hasSize(lengths.length - 1);
  }

  @Test
  void rewritingTheSameKeysReusesTheirBlocks() {
    for (int round = 0; round < 200; round++) for (int k = 0; k < 100; k++) put("k" + k, filled(4096, round));
    // 100 live values of 4 KiB: one 1 MiB slab, however often they were rewritten.
    assertThat(state.valueBytesReserved()).isEqualTo(1 << 20);
    for (int k = 0; k < 100; k++) assertThat(state.get(Key.of("k" + k))).isEqualTo(filled(4096, 199));
  }

  @Test
  void anOpenImageKeepsItsValuesWhileTheStateIsRewrittenAndReleasesTheirBlocksWhenClosed() throws Exception {
    for (int k = 0; k < 100; k++) put("k" + k, filled(4096, 1));
    KvState.Image image = state.image();
    for (int round = 2; round < 20; round++) for (int k = 0; k < 100; k++) put("k" + k, filled(4096, round));
    Map<Key, byte[]> seen = new LinkedHashMap<>();
    image.forEach(seen::put);
    assertThat(seen).hasSize(100).allSatisfy((k, v) -> assertThat(v).isEqualTo(filled(4096, 1)));
    long whileOpen = state.valueBytesReserved();
    image.close();
    for (int round = 20; round < 200; round++) for (int k = 0; k < 100; k++) put("k" + k, filled(4096, round));
    assertThat(state.valueBytesReserved()).isEqualTo(whileOpen); // the blocks held for the image were reused
  }

  @Test
  void readersNeverSeeAValueTornByARewrite() throws Exception {
    int keys = 64;
    for (int k = 0; k < keys; k++) put("k" + k, filled(4096, 0));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> torn = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread r = new Thread(() -> {
        int i = 0;
        while (!stop.get() && torn.get() == null) {
          byte[] v = state.get(Key.of("k" + (i++ % keys)));
          for (byte b : v) {
            if (b != v[0]) {
              torn.set("value mixes " + v[0] + " and " + b);
              break;
            }
          }
          reads.incrementAndGet();
        }
      });
      r.start();
      readers.add(r);
    }
    // Values alternate between sizes so a freed block is at once reused by another key.
    long end = System.nanoTime() + 1_000_000_000L;
    for (int round = 1; System.nanoTime() < end && torn.get() == null; round++) {
      for (int k = 0; k < keys; k++) put("k" + k, filled(round % 2 == 0 ? 4096 : 4000, round));
    }
    stop.set(true);
    for (Thread r : readers) r.join();
    assertThat(torn.get()).isNull();
    assertThat(reads.get()).isPositive();
  }
}
