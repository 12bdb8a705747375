package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.OuClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * {@code java -jar kvstore.jar}: the sample key-value store. Settings from the environment:
 * <ul>
 *   <li>{@code KVSTORE_LISTEN} — host:port of the HTTP server (default {@code 0.0.0.0:8080}; {@code PORT} alone also works);</li>
 *   <li>{@code OU_LOCAL_API_ADDRESS} — the sidecar's local API (default {@code 127.0.0.1:7481}, as the operator injects it);</li>
 *   <li>{@code KVSTORE_SIDECAR_TIMEOUT} — how long a request waits for the sidecar, seconds (default 15, above the sidecar's
 *       10 s synchronous-write timeout, so a write that the standby cannot confirm gets the sidecar's own answer);</li>
 *   <li>the member's name, returned in {@code OU-Member} with every acknowledged write: {@code OU_MEMBER_NAME}, else
 *       {@code OU_POD_NAME}, else {@code POD_NAME}, else {@code HOSTNAME} (in a pod, Kubernetes sets it to the pod's
 *       name), else the host's name;</li>
 *   <li>{@code KVSTORE_POISON_HOOK} — a test hook, off by default: {@code true} makes a job whose text contains the word
 *       {@code poison} exit the application while processing it ({@link Jobs}), to show a poison stimulus
 *       quarantined.</li>
 *   <li>{@code KVSTORE_DRAIN_MAX} — after SIGTERM, the serving primary serves on until its standby takes over, at most
 *       this long (default {@code 25s}; {@link ShutdownDrain}).</li>
 * </ul>
 */
public final class KvStoreMain {
  private KvStoreMain() {}

  public static void main(String[] args) throws Exception {
    String listen = env("KVSTORE_LISTEN", "0.0.0.0:" + env("PORT", "8080"));
    String sidecar = env("OU_LOCAL_API_ADDRESS", "127.0.0.1:7481");
    Duration timeout = Duration.ofSeconds(Long.parseLong(env("KVSTORE_SIDECAR_TIMEOUT", "15")));
    KvStore store = new KvStore(
            OuClient.parseAddress(listen),
            new KvStore.SidecarLinkSettings(
                OuClient.parseAddress(sidecar), timeout, Duration.ofSeconds(3)),
            memberName(),
            new Jobs(
                "true".equalsIgnoreCase(env("KVSTORE_POISON_HOOK", "false")),
                () -> Runtime.getRuntime().halt(70)))
        .start();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              drain(store, ShutdownDrain.fromEnv(System.getenv("KVSTORE_DRAIN_MAX")));
              Log.info("stopping");
              store.close();
            },
            "kvstore-shutdown"));
    Thread.currentThread().join(); // the HTTP server's threads do the work
  }

  /** After SIGTERM: serves on while {@link ShutdownDrain} says so (the HTTP server's threads go on meanwhile). */
  static void drain(KvStore store, ShutdownDrain drain) {
    long t0 = System.nanoTime();
    if (store.servingPrimary())
      Log.info("SIGTERM as the serving primary: serving until the standby takes over (at most "
          + drain.max().toMillis() + " ms)");
    String why;
    while ((why =
            drain.stopBecause(store.servingPrimary(), Duration.ofNanos(System.nanoTime() - t0)))
        == null) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Log.info("stopping after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + why);
  }

  /** This member's name: the first of OU_MEMBER_NAME, OU_POD_NAME, POD_NAME, HOSTNAME that is set, else the host's name. */
  static String memberName() {
    for (String name : new String[] {"OU_MEMBER_NAME", "OU_POD_NAME", "POD_NAME", "HOSTNAME"}) {
      String v = env(name, null);
      if (v != null) return v;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
