package dev.availability.ou.e2e.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load client as a command:
 * <pre>
 * java -cp "e2e/target/classes:e2e/target/lib/*" dev.availability.ou.e2e.client.LoadClientMain \
 *     --address 127.0.0.1:PORT [--writers 4] [--rate 200] [--seconds 10] [--timeout-ms 1000] [--read-back-seconds 30]
 * </pre>
 * Writes for {@code --seconds} (0: until SIGINT or SIGTERM), printing progress to stderr once a second,
 * then reads everything back from the current primary and prints a table and, as its last line, one JSON
 * object: {@code {"acknowledged":N,"lost":N,"outage_ms":N,"failed":N,"split_brain":N,…}}. Exit status 0
 * once the figures are printed (whatever they are), 2 when the read-back failed, 64 on bad arguments.
 */
public final class LoadClientMain {
  private LoadClientMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts;
    LoadSettings settings;
    long seconds;
    Duration readBackPatience;
    try {
      opts = options(args);
      settings = new LoadSettings(
          required(opts, "address"),
          Integer.parseInt(opts.getOrDefault("writers", "4")),
          Double.parseDouble(opts.getOrDefault("rate", "200")),
          Duration.ofMillis(Long.parseLong(opts.getOrDefault("timeout-ms", "1000"))));
      seconds = Long.parseLong(opts.getOrDefault("seconds", "10"));
      readBackPatience =
          Duration.ofSeconds(Long.parseLong(opts.getOrDefault("read-back-seconds", "30")));
    } catch (IllegalArgumentException e) {
      System.err.println("load client: " + e.getMessage());
      System.err.println(
          "usage: LoadClientMain --address HOST:PORT [--writers 4] [--rate 200] [--seconds 10 (0: until a signal)]"
              + " [--timeout-ms 1000] [--read-back-seconds 30]");
      System.exit(64);
      return;
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch printed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              stopRequested
                  .countDown(); // a signal ends the run early: the figures are still printed
              try {
                printed.await(
                    readBackPatience.toSeconds() + settings.timeout().toSeconds() * 3 + 10,
                    TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "load-client-stop"));

    System.out.printf(
        "load client: %s, %d writers, %.0f writes/s, timeout %d ms, %s (%d cores, JDK %s)%n",
        settings.address(),
        settings.writers(),
        settings.rate(),
        settings.timeout().toMillis(),
        seconds > 0 ? seconds + " s" : "until stopped",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    LoadClient load = LoadClient.start(settings, System.err);
    if (seconds > 0) stopRequested.await(seconds, TimeUnit.SECONDS);
    else stopRequested.await();
    load.stop();
    int status = 0;
    try {
      ClientVerdict v = load.verdict(load.readBack(readBackPatience));
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("client", "load");
      extra.put("writers", settings.writers());
      extra.put("rate", settings.rate());
      System.out.print(VerdictText.table(v));
      System.out.println(VerdictText.json(v, extra));
    } catch (IllegalStateException e) {
      System.err.println("load client: " + e.getMessage());
      status = 2;
    } finally {
      System.out.flush();
      printed.countDown();
    }
    if (stopRequested.getCount() > 0)
      System.exit(status); // a normal end; after a signal the JVM is exiting already
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
      int eq = a.indexOf('=');
      if (eq > 0) {
        m.put(a.substring(2, eq), a.substring(eq + 1));
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
        m.put(a.substring(2), args[++i]);
      }
    }
    for (String k : m.keySet()) {
      if (!java.util.Set.of(
              "address", "writers", "rate", "seconds", "timeout-ms", "read-back-seconds")
          .contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k);
      }
    }
    return m;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) throw new IllegalArgumentException("--" + name + " is required");
    return v;
  }
}
