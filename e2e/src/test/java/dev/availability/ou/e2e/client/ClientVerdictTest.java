package dev.availability.ou.e2e.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's figures from its own records: loss, outage, split brain, counts. Times in milliseconds here, nanoseconds inside. */
class ClientVerdictTest {
  private static final long MS = 1_000_000L;
  private final List<Attempt> attempts = new ArrayList<>();
  private final Map<String, String> readBack = new HashMap<>();

  private Attempt ack(String key, long startMs, long endMs, String member, long epoch) {
    Attempt a = Attempt.acked(0, key, "v:" + key, startMs * MS, endMs * MS, member, epoch);
    attempts.add(a);
    return a;
  }

  private void fail(String key, long startMs, long endMs, String kind) {
    attempts.add(Attempt.failed(0, key, "v:" + key, startMs * MS, endMs * MS, kind, "…"));
  }

  /** Acknowledged and held as written. */
  private void ackHeld(String key, long startMs, long endMs, String member, long epoch) {
    ack(key, startMs, endMs, member, epoch);
    readBack.put(key, "v:" + key);
  }

  private ClientVerdict verdict(long windowEndMs) {
    return ClientVerdict.of(attempts, readBack, 0, windowEndMs * MS);
  }

  @Test
  void everyAcknowledgedWriteHeldIsNoLoss() {
    for (int i = 0; i < 10; i++) ackHeld("k" + i, i * 10, i * 10 + 2, "m-0", 1);
    readBack.put("someone-else", "x"); // keys the client never wrote do not count
    ClientVerdict v = verdict(100);
    assertThat(v.attempts()).isEqualTo(10);
    assertThat(v.acknowledged()).isEqualTo(10);
    assertThat(v.lost()).isZero();
    assertThat(v.failed()).isZero();
    assertThat(v.splitBrain()).isZero();
    assertThat(v.unidentifiedAcks()).isZero();
    assertThat(v.acksByEpoch()).containsExactly(Map.entry(1L, 10L));
    assertThat(v.acksByMember()).containsExactly(Map.entry("m-0", 10L));
  }

  @Test
  void anAcknowledgedWriteMissingFromTheReadBackIsLost() {
    ackHeld("a", 0, 1, "m-0", 1);
    ack("b", 2, 3, "m-0", 1);
    fail("c", 4, 5, "http 503"); // never acknowledged: absent, and not lost
    ClientVerdict v = verdict(10);
    assertThat(v.lost()).isEqualTo(1);
    assertThat(v.missing()).isEqualTo(1);
    assertThat(v.mismatched()).isZero();
    assertThat(v.lostExamples()).singleElement().asString().startsWith("b acknowledged by m-0@1");
    assertThat(v.failed()).isEqualTo(1);
    assertThat(v.failuresByKind()).containsExactly(Map.entry("http 503", 1L));
  }

  @Test
  void anAcknowledgedWriteHeldWithAnotherValueIsLost() {
    ackHeld("a", 0, 1, "m-0", 1);
    ack("b", 2, 3, "m-0", 1);
    readBack.put("b", "v:something else");
    ClientVerdict v = verdict(10);
    assertThat(v.lost()).isEqualTo(1);
    assertThat(v.mismatched()).isEqualTo(1);
    assertThat(v.missing()).isZero();
    assertThat(v.lostExamples()).singleElement().asString().contains("holds v:something else");
  }

  @Test
  void theOutageIsTheLongestTimeWithoutAnAcknowledgement() {
    ackHeld("a", 0, 10, "m-0", 1);
    ackHeld("b", 15, 20, "m-0", 1);
    fail("c", 25, 1025, "timeout");
    fail("d", 1025, 1030, "connect");
    ackHeld("e", 1030, 1400, "m-1", 2); // completes 1380 ms after b did
    ackHeld("f", 1400, 1410, "m-1", 2);
    ClientVerdict v = verdict(1500);
    assertThat(v.outageMillis()).isEqualTo(1380);
    assertThat(v.outageFromNanos()).isEqualTo(20 * MS);
    assertThat(v.failed()).isEqualTo(2);
    assertThat(v.failuresByKind()).containsOnlyKeys("timeout", "connect");
  }

  @Test
  void theTimeBeforeTheFirstAcknowledgementIsTheClientStartingNotAnOutage() {
    ackHeld("a", 0, 300, "m-0", 1);
    ackHeld("b", 300, 310, "m-0", 1);
    ackHeld("c", 310, 350, "m-0", 1);
    assertThat(verdict(360).outageMillis()).isEqualTo(40);
  }

  @Test
  void aStoreThatNeverCameBackIsOutUntilTheWindowEnds() {
    ackHeld("a", 0, 10, "m-0", 1);
    fail("b", 10, 1010, "timeout");
    assertThat(verdict(5000).outageMillis()).isEqualTo(4990);
    attempts.clear();
    assertThat(verdict(5000).outageMillis()).as("nothing acknowledged at all").isEqualTo(5000);
  }

  @Test
  void anOlderEpochAcknowledgingAfterANewerOneHadIsSplitBrain() {
    ackHeld("a", 0, 5, "m-0", 1);
    ackHeld("b", 100, 110, "m-1", 2); // the promoted member acknowledges at epoch 2 ...
    ackHeld(
        "c", 120, 130, "m-0", 1); // ... and later the former primary still acknowledges at epoch 1
    ackHeld("d", 140, 150, "m-1", 2);
    ClientVerdict v = verdict(200);
    assertThat(v.splitBrain()).isEqualTo(1);
    assertThat(v.splitBrainExamples())
        .singleElement()
        .asString()
        .startsWith("c acknowledged by m-0@1 after b had been acknowledged by m-1@2");
    assertThat(v.lost()).as("split brain here loses nothing: a separate figure").isZero();
    assertThat(v.acksByEpoch()).containsExactly(Map.entry(1L, 2L), Map.entry(2L, 2L));
    assertThat(v.acksByMember()).containsExactly(Map.entry("m-0", 2L), Map.entry("m-1", 2L));
  }

  @Test
  void anOlderEpochAcknowledgementOverlappingTheFirstNewerOneIsNotSplitBrain() {
    ackHeld("a", 0, 5, "m-0", 1);
    ackHeld("b", 100, 110, "m-1", 2);
    ackHeld("c", 105, 130, "m-0", 1); // started before b completed: the client cannot order them
    ackHeld("d", 109, 112, "m-0", 1); // likewise, though it completed after b
    ClientVerdict v = verdict(200);
    assertThat(v.splitBrain()).isZero();
    assertThat(v.splitBrainExamples()).isEmpty();
  }

  @Test
  void anAcknowledgementNamingNoMemberOrEpochIsCountedAndNotJudged() {
    ackHeld("a", 0, 5, "m-1", 2);
    ackHeld("b", 10, 15, null, Attempt.NO_EPOCH);
    ackHeld("c", 20, 25, "m-0", Attempt.NO_EPOCH);
    ClientVerdict v = verdict(30);
    assertThat(v.unidentifiedAcks()).isEqualTo(2);
    assertThat(v.splitBrain()).isZero();
    assertThat(v.acksByEpoch()).containsExactly(Map.entry(2L, 1L));
    assertThat(v.acksByMember()).containsOnlyKeys("m-1", "m-0", "?");
  }

  @Test
  void theJsonLineCarriesTheFigures() {
    ackHeld("a", 0, 5, "m-0", 1);
    ack("b", 10, 15, "m-0", 1);
    fail("c", 20, 25, "timeout");
    String json = VerdictText.json(verdict(100), Map.of("fault", "none"));
    assertThat(json)
        .startsWith(
            "{\"fault\":\"none\",\"acknowledged\":2,\"lost\":1,\"outage_ms\":85,\"failed\":1,\"split_brain\":0,");
    assertThat(json)
        .contains(
            "\"acks_by_epoch\":{\"1\":2}",
            "\"acks_by_member\":{\"m-0\":2}",
            "\"failures\":{\"timeout\":1}")
        .endsWith("}");
    assertThat(VerdictText.table(verdict(100))).contains("acknowledged writes lost", "split brain");
  }
}
