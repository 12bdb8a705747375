package dev.availability.ou.failover;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the user asks of the unit through its annotations ({@code ou.availability.dev/switchover-to}, {@code drill},
 * {@code paused}, {@code fenced-members}), as the raw values (null: not asked). The operator answers each value
 * once; {@link UnitState#unanswered} says whether a value is new. A malformed value is never guessed at:
 * {@link #malformed} says why, and the request is refused with that message.
 *
 * @param switchoverTo {@code <member>} or {@code any}, optionally followed by {@code @<token>}
 * @param drill any value; each new one asks for one drill
 * @param paused {@code true} or {@code false}
 * @param fencedMembers a comma-separated list of member pod names
 * @param releaseStimulus {@code <stimulus id>}, optionally followed by {@code @<token>}: reprocess it after all
 * @param dropStimulus {@code <stimulus id>}, optionally followed by {@code @<token>}: forget it for good
 */
public record Requests(
    String switchoverTo,
    String drill,
    String paused,
    String fencedMembers,
    String resumeFailovers,
    String releaseStimulus,
    String dropStimulus) {

  /** A quarantined stimulus is handed back to the application to reprocess ({@link PoisonQuarantine}). */
  public static final String RELEASE_STIMULUS_ANNOTATION = "ou.availability.dev/release-stimulus";

  /** A quarantined stimulus the application settled is forgotten ({@link PoisonQuarantine}). */
  public static final String DROP_STIMULUS_ANNOTATION = "ou.availability.dev/drop-stimulus";

  public Requests(
      String switchoverTo,
      String drill,
      String paused,
      String fencedMembers,
      String resumeFailovers) {
    this(switchoverTo, drill, paused, fencedMembers, resumeFailovers, null, null);
  }

  /** Any new value resumes automatic failover after a failover loop suspended it ({@link FailoverLoop}). */
  public static final String RESUME_FAILOVERS_ANNOTATION = "ou.availability.dev/resume-failovers";

  public Requests(String switchoverTo, String drill, String paused, String fencedMembers) {
    this(switchoverTo, drill, paused, fencedMembers, null);
  }

  /** The kinds of request, one per annotation; each is answered in {@code status.requests}. */
  public enum Kind {
    Switchover,
    Fence,
    Pause,
    Drill,
    ResumeFailovers,
    ReleaseStimulus,
    DropStimulus
  }

  /** {@code switchover-to: any}: whichever standby is in sync. */
  public static final String ANY = "any";

  public static final Requests NONE = new Requests(null, null, null, null);

  /** A pod name: a DNS-1123 subdomain. */
  private static final Pattern POD_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final int MAX_NAME = 253;
  private static final int SHOWN = 64;

  /** The annotation value of a kind of request (null when not asked). */
  public String value(Kind kind) {
    return switch (kind) {
      case Switchover -> switchoverTo;
      case Drill -> drill;
      case Pause -> paused;
      case Fence -> fencedMembers;
      case ResumeFailovers -> resumeFailovers;
      case ReleaseStimulus -> releaseStimulus;
      case DropStimulus -> dropStimulus;
    };
  }

  /** The member a switchover asks for, or {@link #ANY}; null when none is asked or the value is malformed. */
  public String switchoverTarget() {
    if (switchoverTo == null || malformed(Kind.Switchover) != null) return null;
    return switchoverTo.trim().split("@", 2)[0];
  }

  /** Whether the unit is asked to pause: {@code true} in any case. */
  public boolean isPaused() {
    return paused != null && paused.trim().equalsIgnoreCase("true");
  }

  /**
   * The members asked to be fenced: every non-empty name of the list, a malformed one included (it names no
   * member, so fencing it does nothing, while the valid names of the same list still count).
   */
  public Set<String> fenced() {
    Set<String> names = new LinkedHashSet<>();
    if (fencedMembers == null) return names;
    for (String n : fencedMembers.split(",")) {
      if (!n.isBlank()) names.add(n.trim());
    }
    return names;
  }

  /** Why the value of a kind of request cannot be read, saying what is expected; null when it reads (or is absent). */
  public String malformed(Kind kind) {
    String v = value(kind);
    if (v == null) return null;
    return switch (kind) {
      case Switchover -> malformedSwitchover(v);
      case Drill ->
        v.isBlank()
            ? "the drill value is empty: give each drill a new value (a timestamp, say)"
            : null;
      case Pause ->
        v.trim().equalsIgnoreCase("true") || v.trim().equalsIgnoreCase("false")
            ? null
            : "paused " + quote(v) + " is neither true nor false (read as not paused)";
      case Fence -> malformedFence(v);
      case ResumeFailovers -> null; // any value: a new one asks again
      case ReleaseStimulus, DropStimulus ->
        v.isBlank()
            ? "the value names no stimulus (expected <stimulus id>, optionally @<token>)"
            : null;
    };
  }

  /**
   * The quarantined stimulus a release or drop value names: the whole value when that is one of {@code quarantined},
   * else the part before its last {@code @} (a token that makes the value new); null when neither is.
   */
  public static String stimulusNamed(String value, Collection<String> quarantined) {
    if (value == null) return null;
    String v = value.trim();
    if (quarantined.contains(v)) return v;
    int at = v.lastIndexOf('@');
    return at > 0 && quarantined.contains(v.substring(0, at)) ? v.substring(0, at) : null;
  }

  private static String malformedSwitchover(String v) {
    String expected =
        " (expected <member>|any, optionally @<token>: db-1, any, any@2026-12-05T11:20:00Z)";
    String[] parts = v.trim().split("@", 2);
    String target = parts[0];
    if (target.isEmpty()) return "switchover-to " + quote(v) + " names no member" + expected;
    if (!target.equals(ANY) && !podName(target))
      return "switchover-to " + quote(v) + ": " + quote(target) + " is not a pod name" + expected;
    if (parts.length == 2
        && (parts[1].isEmpty() || parts[1].chars().anyMatch(Character::isWhitespace))) {
      return "switchover-to " + quote(v) + " has an empty token or one with spaces" + expected;
    }
    return null;
  }

  private String malformedFence(String v) {
    List<String> bad = new ArrayList<>();
    for (String n : fenced()) {
      if (!podName(n)) bad.add(quote(n));
    }
    return bad.isEmpty()
        ? null
        : "fenced-members " + quote(v) + ": " + String.join(", ", bad)
            + (bad.size() == 1 ? " is not a pod name" : " are not pod names")
            + " (expected a comma-separated list of member pod names)";
  }

  private static boolean podName(String s) {
    return s.length() <= MAX_NAME && POD_NAME.matcher(s).matches();
  }

  private static String quote(String s) {
    return "'" + (s.length() > SHOWN ? s.substring(0, SHOWN) + "…" : s) + "'";
  }
}
