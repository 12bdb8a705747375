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
              Log.info("stopping");
              store.close();
            },
            "kvstore-shutdown"));
    Thread.currentThread().join(); // the HTTP server's threads do the work
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
