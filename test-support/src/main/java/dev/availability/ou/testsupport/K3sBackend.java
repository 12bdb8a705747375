package dev.availability.ou.testsupport;

import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * k3s in a container, for machines with a Docker engine. Without one it aborts (JUnit skips the tests, with the
 * reason), it never fails. Kept apart so that nothing touches Testcontainers unless {@code OU_TEST_CLUSTER=k3s}.
 */
public final class K3sBackend {

  private K3sBackend() {}

  /** Whether Testcontainers finds a Docker engine (it looks at DOCKER_HOST, the socket, ~/.testcontainers.properties). */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Starts k3s; returns the running container and its kubeconfig. Aborts the caller's tests without Docker. */
  public static Started start(String image) {
    if (!dockerAvailable()) {
      throw new TestAbortedException(
          "OU_TEST_CLUSTER=k3s needs a Docker engine, and Testcontainers found none "
              + "(no DOCKER_HOST, no /var/run/docker.sock that answers). Unset OU_TEST_CLUSTER to use "
              + "testenv/local-cluster, which needs no Docker.");
    }
    Progress.log("starting k3s " + image + " via Testcontainers… (pulls the image on first use)");
    long start = System.nanoTime();
    K3sContainer k3s =
        new K3sContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("rancher/k3s"));
    k3s.start();
    Progress.log("k3s ready in " + Progress.since(start));
    return new Started(k3s, k3s.getKubeConfigYaml());
  }

  /** A running k3s container; closing it stops the container. */
  public record Started(K3sContainer container, String kubeconfigYaml) implements AutoCloseable {
    @Override
    public void close() {
      Progress.log("stopping k3s");
      container.stop();
    }
  }
}
