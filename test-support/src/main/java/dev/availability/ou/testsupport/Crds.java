package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every CRD of crds/ (OperationalUnit, StandbyPool), applied as users apply them and waited for until the API
 * server serves it: tests that need one resource get them all, as an installation does.
 */
public final class Crds {
  private Crds() {}

  /** The CRD files of {@code <repoRoot>/crds}, in name order. */
  public static List<Path> files(Path repoRoot) {
    try (Stream<Path> s = Files.list(repoRoot.resolve("crds"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + repoRoot.resolve("crds"), e);
    }
  }

  /** Applies (server side, as {@code fieldManager}) every CRD of crds/ and waits until each is Established. */
  public static void install(KubernetesClient client, Path repoRoot, String fieldManager) {
    List<CustomResourceDefinition> crds =
        files(repoRoot).stream().map(Crds::read).toList();
    if (crds.isEmpty()) throw new IllegalStateException("no CRD under " + repoRoot.resolve("crds"));
    for (CustomResourceDefinition crd : crds)
      client.resource(crd).fieldManager(fieldManager).forceConflicts().serverSideApply();
    for (CustomResourceDefinition crd : crds) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(Crds::established, 30, TimeUnit.SECONDS);
    }
  }

  private static boolean established(CustomResourceDefinition d) {
    return d != null
        && d.getStatus() != null
        && d.getStatus().getConditions() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus()));
  }

  private static CustomResourceDefinition read(Path file) {
    try {
      return Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
