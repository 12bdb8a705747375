package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind {@link KubernetesCluster}. One {@link ClusterConnection} per test run lives in the root
 * store (closed, and a cluster this run started deleted, when the run ends); one {@link TestNamespace} per
 * top-level test class lives in that class's store (deleted after its {@code @AfterAll}).
 */
public final class KubernetesClusterExtension
    implements BeforeAllCallback,
        ParameterResolver,
        TestWatcher,
        LifecycleMethodExecutionExceptionHandler {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KubernetesClusterExtension.class);
  private static final Set<Class<?>> RESOLVABLE = Set.of(
      KubernetesClient.class,
      TestNamespace.class,
      ClusterFaults.class,
      LocalClusterHandle.class,
      ClusterConnection.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    namespace(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVABLE.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    ClusterConnection connection = connection(context);
    if (type == KubernetesClient.class) {
      return connection.client();
    }
    if (type == TestNamespace.class) {
      return namespace(context);
    }
    if (type == ClusterFaults.class) {
      return connection.faults();
    }
    if (type == ClusterConnection.class) {
      return connection;
    }
    return connection
        .localCluster()
        .orElseThrow(
            () -> new ParameterResolutionException(
                "no LocalClusterHandle: this run's cluster ("
                    + connection.source().describe() + ") is not run by "
                    + "testenv/local-cluster; declare ClusterFaults instead, whose node and restart faults skip such clusters"));
  }

  /** The cluster of this run, opened by the first test class that needs it. */
  public static ClusterConnection connection(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .computeIfAbsent(Opened.class, k -> Opened.open(), Opened.class)
        .connection();
  }

  /** The namespace of the test class {@code context} belongs to, created on first use. */
  public static TestNamespace namespace(ExtensionContext context) {
    ClusterConnection connection = connection(context);
    ExtensionContext classContext = topLevelClassContext(context);
    boolean keep = Boolean.parseBoolean(
        ClusterSource.settings().getOrDefault("OU_TEST_KEEP_NAMESPACES", "false"));
    return classContext
        .getStore(NS)
        .computeIfAbsent(
            TestNamespace.class,
            k -> TestNamespace.create(
                connection.client(), classContext.getRequiredTestClass().getSimpleName(), keep),
            TestNamespace.class);
  }

  private static ExtensionContext topLevelClassContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getParent().isPresent() && c.getParent().get().getTestClass().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  // --- diagnostics on failure ------------------------------------------------------------------

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    printState(context, cause);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    printState(context, t);
    throw t;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    printState(context, t);
    throw t;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    printState(context, t);
    throw t;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    printState(context, t);
    throw t;
  }

  private static void printState(ExtensionContext context, Throwable cause) {
    if (cause instanceof TestAbortedException) {
      return;
    }
    Opened opened = context.getRoot().getStore(NS).get(Opened.class, Opened.class);
    TestNamespace ns =
        topLevelClassContext(context).getStore(NS).get(TestNamespace.class, TestNamespace.class);
    if (opened == null || opened.connection == null || ns == null) {
      return;
    }
    System.err.println(context.getDisplayName() + " failed: " + cause);
    ClusterDiagnostics.print(opened.connection.client(), ns.name(), System.err);
  }

  /** The root store's value: the connection, or why it could not be opened (so later classes fail fast). */
  private static final class Opened implements AutoCloseable {
    private final ClusterConnection connection;
    private final RuntimeException failure;

    private Opened(ClusterConnection connection, RuntimeException failure) {
      this.connection = connection;
      this.failure = failure;
    }

    static Opened open() {
      try {
        ClusterSource source = ClusterSource.fromEnvironment(
            ClusterSource.settings(), Path.of(System.getProperty("user.home")));
        return new Opened(ClusterConnection.open(source), null);
      } catch (RuntimeException e) {
        return new Opened(null, e);
      }
    }

    ClusterConnection connection() {
      if (failure instanceof TestAbortedException aborted) {
        throw aborted;
      }
      if (failure != null) {
        throw new IllegalStateException(
            "the cluster for this test run could not be opened: " + failure.getMessage(), failure);
      }
      return connection;
    }

    @Override
    public void close() throws Exception {
      if (connection != null) {
        connection.close();
      }
    }
  }
}
