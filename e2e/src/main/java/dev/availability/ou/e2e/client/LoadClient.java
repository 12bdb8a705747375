package dev.availability.ou.e2e.client;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A load generator for the sample key-value store: {@code writers} threads write unique keys through one
 * address at a steady total rate and record every attempt (see {@link Attempt}). After the fault and the
 * recovery, {@link #readBack} reads everything from the current primary and {@link #verdict} computes
 * what the client saw (see {@link ClientVerdict}). It uses nothing but its own records.
 *
 * <pre>{@code
 * LoadClient load = LoadClient.start(LoadSettings.defaults("127.0.0.1:" + port));
 * ... inject a fault, wait for the recovery ...
 * load.stop();
 * ClientVerdict v = load.verdict(load.readBack(Duration.ofSeconds(30)));
 * assertThat(v.lost()).isZero();
 * }</pre>
 */
public final class LoadClient implements AutoCloseable {
  private final LoadSettings settings;
  private final String runId;
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final ProgressLine progress;
  private volatile boolean running = true;
  private final long startNanos;
  private final java.time.Instant startedAt = java.time.Instant.now();
  private volatile long stopNanos = -1;

  private LoadClient(LoadSettings settings, PrintStream progressTo) {
    this.settings = settings;
    this.runId = Long.toString(System.currentTimeMillis(), 36)
        + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
    this.startNanos = System.nanoTime();
    this.progress = progressTo == null ? null : new ProgressLine(progressTo, startNanos);
  }

  /** When the window began, on the wall clock: to place the verdict's outage beside other logs. */
  public java.time.Instant startedAt() {
    return startedAt;
  }

  /** Starts writing now. */
  public static LoadClient start(LoadSettings settings) {
    return start(settings, null);
  }

  /** Starts writing now and prints one progress line a second to {@code progressTo} (null: none). */
  public static LoadClient start(LoadSettings settings, PrintStream progressTo) {
    loadHttpClasses();
    LoadClient c = new LoadClient(settings, progressTo);
    long offset = settings.intervalNanos() / settings.writers(); // writers take turns, not bursts
    for (int i = 0; i < settings.writers(); i++) {
      WriterLoop w = new WriterLoop(
          i, c.runId, settings, c.startNanos + i * offset, () -> c.running, c::record);
      Thread t = new Thread(w, "load-writer-" + i);
      t.setDaemon(true);
      c.threads.add(t);
    }
    c.threads.forEach(Thread::start);
    if (c.progress != null) c.progress.start();
    return c;
  }

  /**
   * A fresh JVM takes a while (up to a second on a busy machine) to load the HTTP client the first time:
   * done before the run's window opens, so that time does not thin out the run's first second.
   */
  private static void loadHttpClasses() {
    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().shutdownNow();
    HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/kv/x"))
        .PUT(HttpRequest.BodyPublishers.ofString("x"))
        .build();
  }

  private void record(Attempt a) {
    attempts.add(a);
    if (progress != null) progress.count(a);
  }

  /** Stops writing and waits for each writer's write in progress (each ends within the timeout). Idempotent. */
  public synchronized void stop() {
    if (!running) return;
    running = false;
    long deadline =
        System.nanoTime() + settings.timeout().multipliedBy(3).plusSeconds(1).toNanos();
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopNanos = System.nanoTime();
    if (progress != null) progress.stop();
  }

  /** Every attempt so far, in the order they ended. */
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Every key and value the store holds now, from its current primary (retried until {@code patience} runs out). */
  public Map<String, String> readBack(Duration patience) {
    return ReadBack.from(settings.address(), settings.timeout().plusSeconds(4), patience);
  }

  /** The client's figures over its run (from start to {@link #stop}, or to now while running) against {@code readBack}. */
  public ClientVerdict verdict(Map<String, String> readBack) {
    long end = stopNanos < 0 ? System.nanoTime() : stopNanos;
    return ClientVerdict.of(attempts(), readBack, startNanos, end);
  }

  public LoadSettings settings() {
    return settings;
  }

  /** What every key of this run starts with. */
  public String runId() {
    return runId;
  }

  @Override
  public void close() {
    stop();
  }
}
