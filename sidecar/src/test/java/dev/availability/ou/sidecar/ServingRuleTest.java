package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ServingRule} over every combination of its inputs (times around a wrap of the nanosecond clock too),
 * each expectation stated on its own terms: as the list of reasons a primary refuses writes, and as the cases
 * in which a standby is promotable. A few named cases read as examples.
 */
class ServingRuleTest {
  static final long HEARTBEAT = 100;
  // The failsafe trusts a standby heard within three heartbeats: these ages are fresh, the others
  // stale.
  static final long[] HEARD_AGES = {0, 299, 300, 10_000};
  static final List<Long> FRESH_AGES = List.of(0L, 299L);
  static final long[] NOWS = {0, 1_000_000, Long.MAX_VALUE, Long.MIN_VALUE};
  // validUntil = now + offset (wrapping on purpose): the lease has lapsed exactly when the offset
  // is not positive.
  static final long[] OFFSETS = {-1_000_000_000, -1, 0, 1, 1_000_000_000};
  static final boolean[] BOOLS = {false, true};

  static List<Role> roles() {
    List<Role> l = new ArrayList<>(Arrays.asList(Role.values()));
    l.add(null); // unassigned
    return l;
  }

  /** Why a primary would not acknowledge a write now; it serves when there is no reason. */
  static List<String> refusals(
      Role role,
      boolean selfFenced,
      boolean writerFailed,
      boolean leaseRequired,
      long offset,
      Mode mode,
      boolean acksAlone,
      boolean takenAway,
      boolean connected,
      long heardAge) {
    List<String> why = new ArrayList<>();
    if (role != Role.Primary) why.add("not primary");
    if (selfFenced) why.add("fenced");
    if (writerFailed) why.add("log writer failed");
    if (leaseRequired
        && offset <= 0
        && !failsafeExpected(
            leaseRequired, offset, mode, acksAlone, takenAway, connected, heardAge)) {
      why.add("lease lapsed");
    }
    return why;
  }

  /** A lapsed lease is stood in for by a standby that confirms every write and was heard lately. */
  static boolean failsafeExpected(
      boolean leaseRequired,
      long offset,
      Mode mode,
      boolean acksAlone,
      boolean takenAway,
      boolean connected,
      long heardAge) {
    boolean everyWriteWaitsForTheStandby =
        (mode == Mode.SYNCHRONOUS || mode == Mode.JOURNAL) && !acksAlone;
    return leaseRequired
        && offset <= 0
        && everyWriteWaitsForTheStandby
        && !takenAway
        && connected
        && FRESH_AGES.contains(heardAge);
  }

  @Test
  void servingLeaseAndFailsafeOverEveryCombination() {
    int cases = 0;
    for (Role role : roles())
      for (boolean selfFenced : BOOLS)
        for (boolean writerFailed : BOOLS)
          for (boolean required : BOOLS)
            for (long now : NOWS)
              for (long offset : OFFSETS)
                for (Mode mode : Mode.values())
                  for (boolean alone : BOOLS)
                    for (boolean takenAway : BOOLS)
                      for (boolean connected : BOOLS)
                        for (long age : HEARD_AGES) {
                          long validUntil = now + offset;
                          String in = String.format(
                              "role=%s fenced=%s writerFailed=%s required=%s now=%d offset=%d mode=%s alone=%s"
                                  + " takenAway=%s connected=%s heardAge=%d",
                              role,
                              selfFenced,
                              writerFailed,
                              required,
                              now,
                              offset,
                              mode,
                              alone,
                              takenAway,
                              connected,
                              age);
                          boolean failsafe = failsafeExpected(
                              required, offset, mode, alone, takenAway, connected, age);
                          assertThat(ServingRule.failsafe(
                                  required,
                                  validUntil,
                                  now,
                                  mode,
                                  alone,
                                  takenAway,
                                  connected,
                                  age,
                                  HEARTBEAT))
                              .as("failsafe " + in)
                              .isEqualTo(failsafe);
                          assertThat(ServingRule.leaseOk(
                                  required,
                                  validUntil,
                                  now,
                                  mode,
                                  alone,
                                  takenAway,
                                  connected,
                                  age,
                                  HEARTBEAT))
                              .as("leaseOk " + in)
                              .isEqualTo(!required || offset > 0 || failsafe);
                          boolean serves = refusals(
                                  role,
                                  selfFenced,
                                  writerFailed,
                                  required,
                                  offset,
                                  mode,
                                  alone,
                                  takenAway,
                                  connected,
                                  age)
                              .isEmpty();
                          assertThat(ServingRule.serving(
                                  role,
                                  selfFenced,
                                  writerFailed,
                                  required,
                                  validUntil,
                                  now,
                                  mode,
                                  alone,
                                  takenAway,
                                  connected,
                                  age,
                                  HEARTBEAT))
                              .as("serving " + in)
                              .isEqualTo(serves);
                          cases++;
                        }
    assertThat(cases)
        .isEqualTo(
            4 * 2 * 2 * 2 * NOWS.length * OFFSETS.length * 3 * 2 * 2 * 2 * HEARD_AGES.length);
  }

  @Test
  void namedServingCases() {
    long now = 5_000_000_000L;
    assertThat(ServingRule.serving(
            Role.Primary,
            false,
            false,
            false,
            0,
            now,
            Mode.ASYNCHRONOUS,
            false,
            false,
            false,
            0,
            HEARTBEAT))
        .as("standalone control: no lease to keep")
        .isTrue();
    assertThat(ServingRule.serving(
            Role.Primary,
            false,
            false,
            true,
            now,
            now,
            Mode.ASYNCHRONOUS,
            false,
            false,
            true,
            0,
            HEARTBEAT))
        .as("an asynchronous primary stops at its lease's valid-until instant")
        .isFalse();
    assertThat(ServingRule.serving(
            Role.Primary,
            false,
            false,
            true,
            now,
            now,
            Mode.SYNCHRONOUS,
            false,
            false,
            true,
            299,
            HEARTBEAT))
        .as("a synchronous primary serves on while its standby confirms")
        .isTrue();
    assertThat(ServingRule.serving(
            Role.Primary,
            false,
            false,
            true,
            now,
            now,
            Mode.JOURNAL,
            false,
            true,
            true,
            0,
            HEARTBEAT))
        .as("not when the API server gave the lease to another")
        .isFalse();
    assertThat(ServingRule.serving(
            Role.Standby,
            false,
            false,
            false,
            0,
            now,
            Mode.SYNCHRONOUS,
            false,
            false,
            true,
            0,
            HEARTBEAT))
        .isFalse();
  }

  static final long LOST_AFTER = 1_000;
  static final long[] PRIMARY_HEARD_AGES = {0, 999, 1_000, 1_001, 60_000};
  static final long[] SEQS = {0, 1, 2, 3};
  static final long[] TARGETS = {0, 1, 2, 3, Long.MAX_VALUE}; // MAX_VALUE: no session told a target

  /**
   * A standby is promotable when its state is exact and either its stream is live and caught up, or — outside
   * Asynchronous mode, where the primary acknowledges nothing its standby lacks — its stream went silent or stopped
   * while it held everything, or it still streams caught up though the primary is silent.
   */
  static boolean inSyncExpected(
      long durable,
      long exactFrom,
      boolean streaming,
      long heardAge,
      long target,
      Mode mode,
      boolean heldAll) {
    boolean exact = durable >= exactFrom;
    boolean caughtUp = durable >= target;
    boolean primaryHeard = heardAge <= LOST_AFTER;
    boolean live = streaming && primaryHeard;
    boolean acknowledgedOnlyWhatTheStandbyHolds = mode != Mode.ASYNCHRONOUS;
    boolean liveAndCaughtUp = live && caughtUp;
    boolean silentButSafe =
        !live && acknowledgedOnlyWhatTheStandbyHolds && (heldAll || (streaming && caughtUp));
    return exact && (liveAndCaughtUp || silentButSafe);
  }

  @Test
  void inSyncOverEveryCombination() {
    int cases = 0;
    for (long durable : SEQS)
      for (long exactFrom : SEQS)
        for (boolean streaming : BOOLS)
          for (long age : PRIMARY_HEARD_AGES)
            for (long target : TARGETS)
              for (Mode mode : Mode.values())
                for (boolean heldAll : BOOLS) {
                  assertThat(ServingRule.inSync(
                          durable, exactFrom, streaming, age, LOST_AFTER, target, mode, heldAll))
                      .as(
                          "durable=%d exactFrom=%d streaming=%s heardAge=%d target=%d mode=%s heldAllAtLoss=%s",
                          durable, exactFrom, streaming, age, target, mode, heldAll)
                      .isEqualTo(inSyncExpected(
                          durable, exactFrom, streaming, age, target, mode, heldAll));
                  cases++;
                }
    assertThat(cases)
        .isEqualTo(
            SEQS.length * SEQS.length * 2 * PRIMARY_HEARD_AGES.length * TARGETS.length * 3 * 2);
  }

  @Test
  void namedInSyncCases() {
    assertThat(ServingRule.inSync(5, 6, true, 0, LOST_AFTER, 0, Mode.SYNCHRONOUS, true))
        .as("a received snapshot not yet made exact by the stream")
        .isFalse();
    assertThat(ServingRule.inSync(5, 0, true, 0, LOST_AFTER, 6, Mode.SYNCHRONOUS, false))
        .as("still catching up")
        .isFalse();
    assertThat(ServingRule.inSync(6, 0, true, 0, LOST_AFTER, 6, Mode.ASYNCHRONOUS, false))
        .as("live and caught up")
        .isTrue();
    assertThat(
            ServingRule.inSync(6, 0, false, 0, LOST_AFTER, Long.MAX_VALUE, Mode.SYNCHRONOUS, true))
        .as("synchronous: in sync when its primary fell silent")
        .isTrue();
    assertThat(
            ServingRule.inSync(6, 0, false, 0, LOST_AFTER, Long.MAX_VALUE, Mode.ASYNCHRONOUS, true))
        .as("asynchronous: the primary may have acknowledged more")
        .isFalse();
  }
}
