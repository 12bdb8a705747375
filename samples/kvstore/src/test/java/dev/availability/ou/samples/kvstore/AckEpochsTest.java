package dev.availability.ou.samples.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.SidecarStatus;
import dev.availability.ou.client.SidecarUnavailableException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The epoch of an acknowledged write comes from its sequence, not from whatever the member's epoch is by the time it is asked. */
class AckEpochsTest {
  private final Deque<SidecarStatus> answers = new ArrayDeque<>();
  private int asked;
  private final Supplier<SidecarStatus> sidecar = () -> {
    asked++;
    if (answers.isEmpty()) throw new SidecarUnavailableException("gone", null);
    return answers.poll();
  };
  private final AckEpochs epochs = new AckEpochs(sidecar);

  private static SidecarStatus status(
      String role, long epoch, String term, long promotionSeq, long lastSeq) {
    return new SidecarStatus(Map.of(
        "role",
        role,
        "epoch",
        Long.toString(epoch),
        "term",
        term,
        "promotionSeq",
        Long.toString(promotionSeq),
        "lastSeq",
        Long.toString(lastSeq)));
  }

  @Test
  void aWriteOrderedInTheCurrentTermHasItsEpoch() {
    answers.add(status("PRIMARY", 3, "3.1", 40, 45));
    assertThat(epochs.epochOf(45, 99)).isEqualTo(3);
    assertThat(epochs.epochOf(41, 99)).as("covered by the same answer").isEqualTo(3);
    assertThat(asked).isEqualTo(1);
  }

  @Test
  void aWriteOrderedBeforeANewerTermBeganKeepsItsOlderEpoch() {
    answers.add(status("PRIMARY", 1, "1.1", 0, 10));
    assertThat(epochs.epochOf(10, 1)).isEqualTo(1);
    // Write 12 was ordered at epoch 1; by the time the sidecar is asked, this member is primary at
    // epoch 2 (from 15 on).
    answers.add(status("PRIMARY", 2, "2.1", 15, 16));
    assertThat(epochs.epochOf(12, 2)).isEqualTo(1);
    assertThat(epochs.epochOf(16, 2)).isEqualTo(2);
  }

  @Test
  void aWriteOfAMemberThatLostItsRoleRightAfterStaysAtItsTerm() {
    // Acknowledged at epoch 4, then deposed: STATUS already says standby at epoch 5, its last term
    // is still 4.
    answers.add(status("STANDBY", 5, "4.2", 70, 80));
    assertThat(epochs.epochOf(75, 5)).isEqualTo(4);
  }

  @Test
  void withoutAnAnswerTheEpochTheRequestWasAdmittedUnderIsUsed() {
    assertThat(epochs.epochOf(7, 6)).isEqualTo(6);
    answers.add(status("PRIMARY", 5, "5.1", 3, 5)); // taken before write 7 was ordered: cannot tell
    assertThat(epochs.epochOf(7, 6)).isEqualTo(6);
    assertThat(epochs.epochOf(4, 6)).as("ordered before that answer").isEqualTo(5);
  }

  @Test
  void readsTheTermEpochNotTheIncarnation() {
    assertThat(AckEpochs.termEpoch(status("PRIMARY", 12, "12.3", 0, 0))).isEqualTo(12);
    assertThat(AckEpochs.termEpoch(status("UNASSIGNED", 0, "0.0", 0, 0))).isZero();
  }
}
