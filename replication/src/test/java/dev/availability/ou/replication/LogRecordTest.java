package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LogRecordTest {
  @Test
  void recordsRoundTrip() throws Exception {
    long term = Terms.of(3, 2);
    for (LogRecord r : new LogRecord[] {
      LogRecord.put(1, term, "k".getBytes(), "v".getBytes()),
          LogRecord.put(2, term, "k".getBytes(), new byte[0]),
      LogRecord.delete(3, term, "k".getBytes()),
          LogRecord.marker(4, term, RecordType.BEGIN, "req-1".getBytes()),
      LogRecord.marker(5, term, RecordType.END, "req-1".getBytes()),
          new LogRecord(6, term, RecordType.TERM_START, null, null)
    }) {
      byte[] b = r.encode();
      assertThat(b).hasSize(r.encodedSize());
      assertThat(LogRecord.decode(b, 0, b.length, Limits.DEFAULT)).isEqualTo(r);
    }
    assertThat(Terms.epoch(term)).isEqualTo(3);
    assertThat(Terms.incarnation(term)).isEqualTo(2);
  }

  @Test
  void refusesDamage() {
    byte[] b = LogRecord.put(1, 1, "key".getBytes(), "value".getBytes()).encode();
    assertReason(Arrays.copyOf(b, 5), Refusal.TRUNCATED);
    assertReason(Arrays.copyOf(b, b.length - 1), Refusal.TRUNCATED);
    byte[] flipped = b.clone();
    flipped[b.length - 1] ^= 4;
    assertReason(flipped, Refusal.BAD_CHECKSUM);
    byte[] huge = b.clone();
    huge[0] = 0x7f;
    assertReason(huge, Refusal.OVERSIZED);
    Limits small = Limits.DEFAULT.withValueBytes(2);
    assertThatThrownBy(() -> LogRecord.decode(b, 0, b.length, small))
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(Refusal.OVERSIZED);
  }

  private static void assertReason(byte[] b, Refusal reason) {
    assertThatThrownBy(() -> LogRecord.decode(b, 0, b.length, Limits.DEFAULT))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(reason);
  }
}
