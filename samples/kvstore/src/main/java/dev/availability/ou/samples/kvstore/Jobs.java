package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.StandbyUnavailableException;
import dev.availability.ou.client.Stimulus;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jobs: the store's journalled request kind that a promoted member reprocesses (a PUT is rejected instead, its client
 * retries it). {@code POST /jobs/{id}} with a text body keeps the text under {@code jobs/{id}} and, between the
 * stimulus markers of {@code job-{id}}, counts its words into {@code jobs/{id}/outcome}; {@code GET /jobs/{id}} reads
 * that outcome, which tells the job's user whether it was done or ignored.
 *
 * <p>The poison test hook, off by default ({@code KVSTORE_POISON_HOOK=true} turns it on): a job whose text contains
 * the word {@code poison} makes the application exit while processing it, on every copy that processes it, the way a
 * request that trips a bug would. The operator then quarantines it (Journal mode) and the member promoted next sets
 * it aside: its outcome becomes {@code ignored}.
 */
final class Jobs {
  /** The stimulus id of a job (its journal markers). */
  static final String PREFIX = "job-";

  private final boolean poisonHook;
  private final Runnable crash;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong reprocessed = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();

  /**
   * @param poisonHook whether a job with the word "poison" crashes the application (a test hook)
   * @param crash what crashing is (the process exits at once, as from a fatal bug)
   */
  Jobs(boolean poisonHook, Runnable crash) {
    this.poisonHook = poisonHook;
    this.crash = crash;
  }

  static boolean isJob(String stimulusId) {
    return stimulusId.startsWith(PREFIX);
  }

  /** Runs a new job; returns its outcome (JSON). In Journal mode between the markers of {@code job-{id}}. */
  String submit(OuClient c, String id, byte[] text, boolean journal) {
    if (journal) c.begin(PREFIX + id);
    c.put(input(id), text);
    String outcome = process(c, id, text);
    if (journal) c.end(PREFIX + id);
    done.incrementAndGet();
    return outcome;
  }

  /** A promoted member reprocesses a job the failed primary left unfinished (its input is in the replicated state). */
  void reprocess(OuClient c, Stimulus s) {
    String id = s.id().substring(PREFIX.length());
    Optional<byte[]> text = c.get(input(id));
    if (text.isPresent()) {
      Log.info("job " + id + " was in flight on the failed primary: reprocessing it");
      c.reprocessing(s.id()); // should it kill this copy too, the operator knows which one did
      promoted(() -> process(c, id, text.get()));
      reprocessed.incrementAndGet();
    } else {
      Log.info("job " + id + " was in flight on the failed primary before its input was stored:"
          + " nothing to reprocess, its client got no answer and may submit it again");
    }
    promoted(() -> c.end(s.id()));
  }

  /**
   * A write of a member just promoted, which may have no standby yet: applied here all the same, it reaches the next
   * standby with the stream (as the store's settling of requests in flight does).
   */
  private static void promoted(Runnable write) {
    try {
      write.run();
    } catch (StandbyUnavailableException e) {
      Log.info("applied, not yet confirmed by a standby (" + e.getMessage() + ")");
    }
  }

  /**
   * A quarantined stimulus: two copies of the application failed on it, so it is not reprocessed. Its user is told
   * (the job's outcome says it was ignored, and why), then it is settled.
   */
  void ignore(OuClient c, Stimulus s) {
    String id = isJob(s.id()) ? s.id().substring(PREFIX.length()) : null;
    Log.info("stimulus " + s.id() + " is quarantined (the operator saw two copies fail on it):"
        + " ignored, not reprocessed; its user is told");
    if (id != null) {
      byte[] told = ("{\"state\":\"ignored\",\"reason\":"
              + Json.string("quarantined: two copies of the application failed while processing it")
              + "}")
          .getBytes(StandardCharsets.UTF_8);
      promoted(() -> c.put(outcome(id), told));
    }
    promoted(() -> c.settle(s.id()));
    ignored.incrementAndGet();
  }

  /** The outcome of a job, as its user reads it: done, ignored, or still in flight; empty when there is no such job. */
  Optional<String> outcome(OuClient c, String id) {
    Optional<byte[]> o = c.get(outcome(id));
    if (o.isPresent()) return Optional.of(new String(o.get(), StandardCharsets.UTF_8));
    return c.get(input(id)).map(x -> "{\"state\":\"in-flight\"}");
  }

  private String process(OuClient c, String id, byte[] text) {
    String s = new String(text, StandardCharsets.UTF_8);
    if (poisonHook && s.matches("(?s).*\\bpoison\\b.*")) {
      Log.info("job " + id
          + " is poison (KVSTORE_POISON_HOOK): the application exits while processing it");
      crash.run();
    }
    String[] words = s.trim().isEmpty() ? new String[0] : s.trim().split("\\s+");
    String outcome = "{\"state\":\"done\",\"words\":" + words.length + "}";
    c.put(outcome(id), outcome.getBytes(StandardCharsets.UTF_8));
    return outcome;
  }

  private static String input(String id) {
    return "jobs/" + id;
  }

  private static String outcome(String id) {
    return "jobs/" + id + "/outcome";
  }

  /** {@code "jobs":{…}} for /status. */
  String statusJson() {
    return "\"jobs\":{\"done\":" + done.get() + ",\"reprocessed\":" + reprocessed.get()
        + ",\"ignoredQuarantined\":" + ignored.get() + ",\"poisonHook\":" + poisonHook + "}";
  }
}
