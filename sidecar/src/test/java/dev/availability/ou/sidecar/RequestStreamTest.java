package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.LocalProtocol;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Where a burst of pipelined requests ends: where the reader would wait for the client, or at its bound. */
class RequestStreamTest {
  static byte[] frames(int n, int valueBytes) {
    ByteBuffer b = ByteBuffer.allocate(n * (12 + valueBytes));
    for (int i = 0; i < n; i++)
      b.putInt(5 + 2 + 1 + valueBytes)
          .putInt(i + 1)
          .put((byte) LocalProtocol.OP_PUT)
          .putShort((short) 1)
          .put((byte) 'k')
          .put(new byte[valueBytes]);
    return b.array();
  }

  @Test
  void aBurstGoesOnWhileTheNextRequestIsAlreadyThereAndEndsWithTheLast() throws IOException {
    RequestStream s = new RequestStream(new ByteArrayInputStream(frames(3, 100)));
    for (int id = 1; id <= 3; id++) {
      assertThat(s.burstHas(4)).as("header of request %d already read in", id).isTrue();
      RequestStream.Header h = s.next(1 << 20);
      assertThat(h.id()).isEqualTo(id);
      assertThat(h.op()).isEqualTo(LocalProtocol.OP_PUT);
      assertThat(s.burstHas(h.length() - 5)).as("body of request %d", id).isTrue();
      s.in().skipNBytes(h.length() - 5);
    }
    assertThat(s.burstHas(4)).as("nothing more sent: the reader would wait").isFalse();
    assertThat(s.next(1 << 20)).as("the end of the stream between requests").isNull();
  }

  @Test
  void aBurstIsCutAtItsBoundThoughMoreRequestsWait() throws IOException {
    int n = RequestStream.MAX_BURST + 5;
    RequestStream s = new RequestStream(new ByteArrayInputStream(frames(n, 0)));
    for (int i = 0; i < RequestStream.MAX_BURST; i++) {
      assertThat(s.burstHas(4)).isTrue();
      s.in().skipNBytes(s.next(1 << 20).length() - 5);
    }
    assertThat(s.burstHas(4)).as("%d requests read: the burst is committed", n).isFalse();
    s.burstCommitted();
    assertThat(s.burstHas(4))
        .as("the next burst starts with the waiting requests")
        .isTrue();
  }

  @Test
  void aLengthOutsideTheFrameBoundsComesBackAloneWithoutReadingFurther() throws IOException {
    byte[] tooLong = ByteBuffer.allocate(4).putInt(1000).array();
    RequestStream.Header h = new RequestStream(new ByteArrayInputStream(tooLong)).next(999);
    assertThat(h.length()).isEqualTo(1000);
    assertThat(h.op()).isNegative();
    byte[] tooShort = ByteBuffer.allocate(4).putInt(4).array();
    assertThat(new RequestStream(new ByteArrayInputStream(tooShort)).next(999).op())
        .isNegative();
  }
}
