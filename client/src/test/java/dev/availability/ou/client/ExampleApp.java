package dev.availability.ou.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A runnable example of the client library (also used by the sidecar's process tests): an application
 * that follows its role, keeps a health session, reprocesses stimuli left in flight by a failed primary,
 * and records orders inside journal markers.
 *
 * <pre>java -cp ou-client.jar:test-classes dev.availability.ou.client.ExampleApp [host:port] [orders]</pre>
 */
public final class ExampleApp {
  private ExampleApp() {}

  public static void main(String[] args) throws Exception {
    var address = args.length > 0 ? OuClient.parseAddress(args[0]) : OuClient.DEFAULT_ADDRESS;
    int orders = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    try (OuClient ou = OuClient.connect(address, Duration.ofSeconds(30));
        HealthSession health = ou.startHealthSession(Duration.ofSeconds(3))) {
      ou.onRoleChange(c -> System.out.println("role: " + c.role() + " at epoch " + c.epoch()
          + (c.serving() ? " (serving)" : "") + " - " + c.reason()));
      // After a promotion: finish or reject what the previous primary left half-done.
      for (Stimulus s : ou.inFlight()) {
        if (s.beforePromotion()) {
          System.out.println("reprocessing " + s.id());
          ou.end(s.id());
        }
      }
      for (int i = 1; i <= orders; i++) {
        String id = "order-" + i;
        try {
          ou.begin(id);
          ou.put(
              "orders/" + i,
              ("paid at " + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
          ou.end(id);
        } catch (NotPrimaryException | FencedException e) {
          System.out.println("not serving writes here: " + e.getMessage());
          return;
        }
      }
      System.out.println("orders stored: "
          + ou.getAll().keySet().stream().filter(k -> k.startsWith("orders/")).count()
          + ", status: role=" + ou.status().role() + " lastSeq=" + ou.status().lastSeq());
    }
  }
}
