package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 2: a stimulus both copies fail on is quarantined with the failover away from the second copy, so the
 * member promoted next settles it instead of reprocessing it; a human drops or releases it. The World's application
 * reprocesses what it holds from before its promotion and crashes on a poison (World#application).
 */
class PoisonQuarantineTest {
  private static World journalUnit() {
    return World.threeNodes(UnitPolicy.Mode.Journal).bootstrap();
  }

  private static void serveAgain(World w) {
    w.runUntil(
        x -> x.lastPhase() == Phase.Protected && x.status.intent() == null,
        "protected again",
        Duration.ofSeconds(60));
  }

  @Test
  void aPoisonCrashesTwoCopiesIsQuarantinedAndTheThirdSettlesIt() {
    World w = journalUnit();
    String first = w.status.primary();
    w.poison.add("order-17");
    int mark = w.mark();

    w.begin("order-17");
    w.run(Duration.ofSeconds(40));
    serveAgain(w);

    // The promoted copy fails on it as soon as it takes the primary's role: before traffic moved
    // (the
    // failover is called off and the first copy, restarted, is primary again) or after (a second
    // one).
    assertThat(w.status.failovers())
        .as("at most the first copy, then the promoted one")
        .isLessThanOrEqualTo(2);
    assertThat(w.crashedOn.get("order-17")).hasSize(2).startsWith(first);
    assertThat(w.toldIgnored).as("the third copy told its user").containsExactly("order-17");
    QuarantinedStimulus q = w.status.quarantine().get(0);
    assertThat(q.id()).isEqualTo("order-17");
    assertThat(q.members()).isEqualTo(w.crashedOn.get("order-17"));
    assertThat(q.settled()).isTrue();
    ConditionView c = w.condition(ConditionType.CommonModeFailure);
    assertThat(c.status()).isTrue();
    assertThat(c.message())
        .contains("order-17", q.members().get(0), q.members().get(1), "settled", "kubectl ou");
    assertThat(w.eventsSince(mark))
        .contains(EventReason.StimulusQuarantined, EventReason.StimulusSettled);

    w.policy = w.policy.withRequests(requests(null, "order-17@1"));
    w.run(Duration.ofSeconds(2));
    assertThat(w.status.answer(Requests.Kind.DropStimulus).state())
        .isEqualTo(RequestAnswer.State.Done);
    assertThat(w.status.quarantine()).isEmpty();
    assertThat(w.condition(ConditionType.CommonModeFailure).status()).isFalse();
    assertThat(w.status.failovers()).as("no more failovers").isLessThanOrEqualTo(2);
  }

  @Test
  void aStimulusInFlightOnOneCrashIsReprocessedNotQuarantined() {
    World w = journalUnit();
    w.begin("order-1");
    w.appCrashLoop(w.status.primary());
    w.run(Duration.ofSeconds(30));
    serveAgain(w);
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.quarantine()).isEmpty();
    assertThat(w.primary().open).as("reprocessed and ended").isEmpty();
    assertThat(w.condition(ConditionType.CommonModeFailure).status()).isFalse();
  }

  @Test
  void aPromotedPrimaryThatFailsAfterTheWindowOrAfterASwitchoverConvictsNothing() {
    // db-1, promoted when db-0 failed with slow-1 in flight, still lists it when it fails in turn.
    Member failed = new Member(
        "db-1",
        1,
        "node-b",
        Member.Role.Primary,
        2,
        null,
        Member.PodPhase.Running,
        true,
        World.T0,
        Member.AppContainer.running(0),
        null,
        false,
        "h1",
        new Member.Report(
            Member.Role.Primary,
            2,
            10,
            null,
            null,
            null,
            null,
            true,
            World.T0,
            null,
            List.of("slow-1"),
            null,
            null),
        null,
        null);
    FailoverTimings promotion = new FailoverTimings(
        "db-0",
        "db-1",
        2,
        "AppCrashed",
        "",
        World.T0,
        World.T0,
        World.T0,
        null,
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Failover);
    Duration window = PoisonQuarantine.window(Duration.ofSeconds(5));
    PoisonEvidence.Promotion p = PoisonEvidence.Promotion.of(promotion);
    assertThat(
            PoisonEvidence.convicted(p, failed, World.T0.plus(window), window, List.of(), World.T0))
        .extracting(QuarantinedStimulus::id)
        .containsExactly("slow-1");
    assertThat(PoisonEvidence.convicted(
            p, failed, World.T0.plus(window).plusMillis(1), window, List.of(), World.T0))
        .isEmpty();
    assertThat(PoisonEvidence.convicted(p, failed, World.T0, window, List.of("slow-1"), World.T0))
        .as("already quarantined")
        .isEmpty();
    FailoverTimings switchover = new FailoverTimings(
        "db-0",
        "db-1",
        2,
        "Requested",
        "",
        World.T0,
        World.T0,
        World.T0,
        null,
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Switchover);
    assertThat(PoisonEvidence.Promotion.of(switchover))
        .as("a switchover's primary did not fail: one copy failed, not two")
        .isNull();
  }

  @Test
  void aReleasedStimulusIsReprocessedAndAnUnknownOneIsRefused() {
    World w = journalUnit();
    w.poison.add("p-1");
    w.begin("p-1");
    w.runUntil(x -> !x.status.quarantine().isEmpty(), "quarantined", Duration.ofSeconds(40));
    w.policy = w.policy.withRequests(requests("nope", null));
    w.run(Duration.ofMillis(300));
    assertThat(w.status.answer(Requests.Kind.ReleaseStimulus).state())
        .isEqualTo(RequestAnswer.State.Refused);
    assertThat(w.status.answer(Requests.Kind.ReleaseStimulus).message())
        .contains("no quarantined stimulus", "p-1");
    w.policy = w.policy.withRequests(requests(null, "p-1"));
    w.run(Duration.ofMillis(300));
    if (!w.status.quarantine().get(0).settled()) {
      assertThat(w.status.answer(Requests.Kind.DropStimulus).state())
          .as("not settled yet: a drop would lose it unseen")
          .isEqualTo(RequestAnswer.State.Refused);
    }
    serveAgain(w);
    assertThat(w.toldIgnored).containsExactly("p-1");
  }

  /**
   * Random sequences of stimuli (some poison, some in flight beside a poison), plain crashes and node deaths in a
   * Journal unit whose applications say, or do not say, what they reprocess. Ground truth from the World: every
   * quarantined stimulus had two members' applications crash with it unfinished; every poison costs at most two
   * failovers and ends quarantined and settled (its user told); a stimulus that one crash caught is never quarantined;
   * one beside a poison is quarantined only when the application did not say which one it was reprocessing.
   */
  @Test
  void randomSequencesOfFailuresQuarantineExactlyThePoisonsAtMostTwoFailoversEach() {
    for (int seed = 0; seed < Integer.getInteger("quarantine.seeds", 40); seed++) {
      Random r = new Random(seed);
      World w = journalUnit();
      w.declares = r.nextBoolean();
      List<String> poisons = new ArrayList<>();
      List<String> bystanders = new ArrayList<>(); // in flight beside a poison on both copies
      List<String> benign = new ArrayList<>();
      int plainFaults = 0;
      String context = "seed " + seed + (w.declares ? " (declares)" : " (does not declare)");
      for (int step = 0; step < 6; step++) {
        // failovers before a resumption do not count toward the loop guard (FailoverLoopTest)
        w.policy = w.policy.withRequests(new Requests(null, null, null, null, "r" + step));
        w.run(Duration.ofMillis(200));
        int what = r.nextInt(6);
        if (what == 0) {
          String id = "poison-" + step;
          w.poison.add(id);
          poisons.add(id);
          w.begin(id);
        } else if (what == 1) {
          String id = "ok-" + step;
          benign.add(id);
          w.begin(id);
          w.appCrashLoop(w.status.primary());
          plainFaults++;
        } else if (what == 2) {
          w.appCrashLoop(w.status.primary());
          plainFaults++;
        } else if (what == 3) {
          w.begin("quick-" + step); // ends before anything fails
          w.run(Duration.ofMillis(300));
        } else if (what == 4) {
          // the primary's whole node dies with a stimulus in flight: one copy lost, not two
          String id = "node-" + step;
          benign.add(id);
          w.begin(id);
          String node = w.primary().node;
          w.killNode(node);
          w.run(Duration.ofSeconds(30));
          serveAgain(w);
          w.healNode(node);
          plainFaults++;
        } else {
          String id = "poison-" + step;
          w.poison.add(id);
          poisons.add(id);
          bystanders.add("beside-" + step);
          w.begin(id, "beside-" + step);
        }
        w.run(Duration.ofSeconds(5 + r.nextInt(40)));
        serveAgain(w);
        context += " " + what;
      }
      List<String> quarantined = w.status.quarantinedIds();
      for (String id : quarantined) {
        assertThat(w.crashedOn.getOrDefault(id, List.of()))
            .as(context + ": two members crashed with " + id + " in flight")
            .hasSizeGreaterThanOrEqualTo(2);
      }
      assertThat(quarantined).as(context).containsAll(poisons);
      for (String id : benign) assertThat(quarantined).as(context).doesNotContain(id);
      if (w.declares) {
        assertThat(quarantined)
            .as(context + ": the application named what it reprocessed: nothing beside it")
            .containsExactlyInAnyOrderElementsOf(poisons);
      }
      for (String id : poisons) {
        assertThat(w.crashedOn.get(id)).as(context + ": copies lost to " + id).hasSize(2);
      }
      assertThat(w.toldIgnored).as(context).containsExactlyInAnyOrderElementsOf(quarantined);
      assertThat(w.status.failovers())
          .as(context + ": at most two per poison, one per plain fault")
          .isBetween(plainFaults, 2 * poisons.size() + plainFaults);
      assertThat(w.status.quarantine()).allMatch(QuarantinedStimulus::settled);
    }
  }

  private static Requests requests(String release, String drop) {
    return new Requests(null, null, null, null, null, release, drop);
  }
}
