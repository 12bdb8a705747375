package dev.availability.ou.api;

/**
 * The operations a user asks of a unit, as annotations on the OperationalUnit: declarative (GitOps keeps them in
 * the manifest) and writable by {@code kubectl annotate} or {@code kubectl ou}. The operator answers each in
 * {@code status.requests} (one entry per kind, naming the annotation value it answered), so a request is acted on
 * once per value and a tool can wait for its outcome.
 */
public final class UnitAnnotations {
  public static final String PREFIX = "ou.availability.dev/";

  /**
   * A planned, zero-loss switchover: {@code <member>} or {@code any}, optionally followed by {@code @<token>} so the
   * same target can be asked again ({@code any@2026-12-05T11:20:00Z}). Refused when no target is in sync.
   */
  public static final String SWITCHOVER_TO = PREFIX + "switchover-to";

  /** Members that must serve nothing: a comma-separated list of member pod names; remove a name to unfence it. */
  public static final String FENCED_MEMBERS = PREFIX + "fenced-members";

  /** {@code "true"}: the operator observes and reports but acts on nothing; absent or any other value resumes. */
  public static final String PAUSED = PREFIX + "paused";

  /**
   * A failover drill: any new value (a timestamp, say) asks for one unplanned-style promotion of an in-sync standby,
   * recorded in {@code status.history} with kind {@code Drill}.
   */
  public static final String DRILL = PREFIX + "drill";

  /**
   * Resumes automatic failover after a failover loop suspended it ({@code spec.failover.loopProtection}): any new value
   * (a timestamp, say); failovers before the operator's answer no longer count toward the limit.
   */
  public static final String RESUME_FAILOVERS = PREFIX + "resume-failovers";

  /**
   * Hands a quarantined stimulus back to the application to be reprocessed after all: {@code <stimulus id>}, optionally
   * followed by {@code @<token>} so the same id can be asked again. Refused when no stimulus of that id is quarantined.
   */
  public static final String RELEASE_STIMULUS = PREFIX + "release-stimulus";

  /**
   * Forgets a quarantined stimulus the application has settled (told its user it was ignored): {@code <stimulus id>},
   * optionally followed by {@code @<token>}. Refused while the application has not settled it.
   */
  public static final String DROP_STIMULUS = PREFIX + "drop-stimulus";

  private UnitAnnotations() {}
}
