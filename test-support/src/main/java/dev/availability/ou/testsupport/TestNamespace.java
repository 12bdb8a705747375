package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;

/**
 * A namespace of its own for one test class: created before the class's {@code @BeforeAll}, deleted after its
 * {@code @AfterAll} (kept when {@code OU_TEST_KEEP_NAMESPACES=true}). Its objects are printed when a test fails.
 */
public final class TestNamespace implements AutoCloseable {

  /** Label on every test namespace, to find leftovers: {@code kubectl get ns -l ou.availability.dev/test}. */
  public static final String LABEL = "ou.availability.dev/test";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration SERVICE_ACCOUNT_WAIT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String name;
  private final boolean keep;

  private TestNamespace(KubernetesClient client, String name, boolean keep) {
    this.client = client;
    this.name = name;
    this.keep = keep;
  }

  /**
   * Creates a namespace named after {@code testName} plus a random suffix, and waits for its {@code default}
   * ServiceAccount (the ServiceAccount admission plugin rejects pods until the controller-manager made it).
   */
  public static TestNamespace create(KubernetesClient client, String testName, boolean keep) {
    String name = nameFor(testName, randomSuffix());
    client
        .namespaces()
        .resource(new NamespaceBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels(LABEL, labelValue(testName))
            .endMetadata()
            .build())
        .create();
    long start = System.nanoTime();
    long deadline = start + SERVICE_ACCOUNT_WAIT.toNanos();
    while (client.serviceAccounts().inNamespace(name).withName("default").get() == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("namespace " + name + " got no default ServiceAccount in "
            + SERVICE_ACCOUNT_WAIT + ": is kube-controller-manager running?");
      }
      sleep(100);
    }
    return new TestNamespace(client, name, keep);
  }

  /** {@code ou-<test name, lower case, at most 40 characters>-<suffix>}: a valid DNS label. */
  static String nameFor(String testName, String suffix) {
    String base = testName
        .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-+|-+$", "");
    if (base.length() > 40) {
      base = base.substring(0, 40).replaceAll("-+$", "");
    }
    return base.isEmpty() ? "ou-" + suffix : "ou-" + base + "-" + suffix;
  }

  private static String labelValue(String testName) {
    String v = testName.replaceAll("[^A-Za-z0-9_.-]", "_");
    return v.length() > 63 ? v.substring(0, 63) : v;
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  public String name() {
    return name;
  }

  /** Deletes the namespace (its objects go with it, through the namespace controller); does not wait. */
  @Override
  public void close() {
    if (keep) {
      Progress.log("keeping namespace " + name + " (OU_TEST_KEEP_NAMESPACES=true)");
      return;
    }
    try {
      client.namespaces().withName(name).delete();
    } catch (KubernetesClientException e) {
      Progress.log("could not delete namespace " + name + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return name;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
