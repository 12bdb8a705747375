package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Requests.Kind;
import org.junit.jupiter.api.Test;

/** The request annotations as written by users: read exactly, and a malformed value explained, never guessed at. */
class RequestsTest {

  private static Requests switchoverTo(String v) {
    return new Requests(v, null, null, null);
  }

  @Test
  void aSwitchoverNamesAMemberOrAnyWithAnOptionalToken() {
    assertThat(switchoverTo("db-1").switchoverTarget()).isEqualTo("db-1");
    assertThat(switchoverTo("any").switchoverTarget()).isEqualTo(Requests.ANY);
    assertThat(switchoverTo("any@2026-12-05T11:20:00Z").switchoverTarget()).isEqualTo(Requests.ANY);
    assertThat(switchoverTo("db-1@2").switchoverTarget()).isEqualTo("db-1");
    assertThat(switchoverTo(" db-1 ").switchoverTarget()).isEqualTo("db-1");
    assertThat(switchoverTo("db-1@2").malformed(Kind.Switchover)).isNull();
    assertThat(Requests.NONE.switchoverTarget()).isNull();
    assertThat(Requests.NONE.malformed(Kind.Switchover)).isNull();
  }

  @Test
  void aMalformedSwitchoverValueSaysWhatIsExpectedAndNamesNoTarget() {
    for (String bad : new String[] {"", " ", "@2", "db-1@", "Db_1", "db-1@a b", "db 1"}) {
      Requests r = switchoverTo(bad);
      assertThat(r.malformed(Kind.Switchover))
          .as(bad)
          .isNotNull()
          .contains("expected <member>|any");
      assertThat(r.switchoverTarget()).as(bad).isNull();
    }
    assertThat(switchoverTo("Db_1").malformed(Kind.Switchover))
        .contains("'Db_1' is not a pod name");
  }

  @Test
  void aDrillIsAnyNonEmptyValue() {
    assertThat(new Requests(null, "2026-12-05T11:20:00Z", null, null).malformed(Kind.Drill))
        .isNull();
    assertThat(new Requests(null, "1", null, null).malformed(Kind.Drill)).isNull();
    assertThat(new Requests(null, " ", null, null).malformed(Kind.Drill)).contains("empty");
  }

  @Test
  void pausedIsTrueOrFalseAndAnythingElseIsExplainedAndReadAsNotPaused() {
    assertThat(new Requests(null, null, "true", null).isPaused()).isTrue();
    assertThat(new Requests(null, null, "True", null).isPaused()).isTrue();
    assertThat(new Requests(null, null, "false", null).isPaused()).isFalse();
    assertThat(new Requests(null, null, "false", null).malformed(Kind.Pause)).isNull();
    Requests yes = new Requests(null, null, "yes", null);
    assertThat(yes.isPaused()).isFalse();
    assertThat(yes.malformed(Kind.Pause))
        .isEqualTo("paused 'yes' is neither true nor false (read as not paused)");
    assertThat(Requests.NONE.isPaused()).isFalse();
  }

  @Test
  void fencedMembersIsACommaSeparatedListAndABadNameIsNamedWhileTheGoodOnesStillCount() {
    assertThat(new Requests(null, null, null, "db-0, db-1,,").fenced())
        .containsExactly("db-0", "db-1");
    assertThat(new Requests(null, null, null, "db-0, db-1,,").malformed(Kind.Fence))
        .isNull();
    assertThat(new Requests(null, null, null, "").fenced()).isEmpty();
    Requests bad = new Requests(null, null, null, "db-0,Bad_Name");
    assertThat(bad.fenced()).containsExactly("db-0", "Bad_Name");
    assertThat(bad.malformed(Kind.Fence)).contains("'Bad_Name' is not a pod name");
    assertThat(Requests.NONE.fenced()).isEmpty();
  }

  @Test
  void eachKindReadsItsOwnAnnotationValue() {
    Requests r = new Requests("db-1", "d1", "true", "db-0");
    assertThat(r.value(Kind.Switchover)).isEqualTo("db-1");
    assertThat(r.value(Kind.Drill)).isEqualTo("d1");
    assertThat(r.value(Kind.Pause)).isEqualTo("true");
    assertThat(r.value(Kind.Fence)).isEqualTo("db-0");
  }

  @Test
  void aReleaseOrDropNamesAQuarantinedStimulusWithOrWithoutAToken() {
    java.util.List<String> q = java.util.List.of("order-17", "user@example.org");
    assertThat(Requests.stimulusNamed("order-17", q)).isEqualTo("order-17");
    assertThat(Requests.stimulusNamed("order-17@2026-12-06T06:00:00Z", q)).isEqualTo("order-17");
    assertThat(Requests.stimulusNamed("user@example.org", q))
        .as("an id with an @ is read whole first")
        .isEqualTo("user@example.org");
    assertThat(Requests.stimulusNamed("user@example.org@t1", q)).isEqualTo("user@example.org");
    assertThat(Requests.stimulusNamed("order-18", q)).isNull();
    assertThat(Requests.stimulusNamed(null, q)).isNull();
    Requests r = new Requests(null, null, null, null, null, " ", "order-17");
    assertThat(r.malformed(Kind.ReleaseStimulus)).contains("names no stimulus");
    assertThat(r.malformed(Kind.DropStimulus)).isNull();
    assertThat(r.value(Kind.DropStimulus)).isEqualTo("order-17");
  }
}
