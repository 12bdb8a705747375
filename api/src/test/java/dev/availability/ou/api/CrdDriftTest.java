package dev.availability.ou.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs under crds/ are generated from the Java model. This test regenerates each and fails when a
 * committed file drifts; run with -Dou.crd.update=true to rewrite crds/ (and the chart's copies).
 */
class CrdDriftTest {
  /** Every custom resource the project defines: each has its CRD under crds/ and in the chart. */
  static final List<Class<? extends CustomResource<?, ?>>> RESOURCES =
      List.of(OperationalUnit.class, StandbyPool.class);

  static List<Class<? extends CustomResource<?, ?>>> resources() {
    return RESOURCES;
  }

  static String file(Class<? extends CustomResource<?, ?>> resource) {
    return CustomResource.getCRDName(resource) + "-v1.yml";
  }

  @ParameterizedTest
  @MethodSource("resources")
  void committedCrdMatchesTheModel(Class<? extends CustomResource<?, ?>> resource)
      throws IOException {
    String generated = generate(resource);

    String file = file(resource);
    Path root = RepoRoot.find();
    Path committed = root.resolve("crds").resolve(file);
    Path chartCopy = root.resolve("helm/ou-operator/crds").resolve(file);
    if (Boolean.getBoolean("ou.crd.update")) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, generated);
      if (Files.isDirectory(chartCopy.getParent())) Files.writeString(chartCopy, generated);
      return;
    }
    if (!Files.exists(committed) || !Files.readString(committed).equals(generated)) {
      fail(committed + " differs from the CRD generated from the Java model. Regenerate it with:\n"
          + "  build/mvn -pl api test -Dou.crd.update=true");
    }
    assertThat(chartCopy).as("the chart ships every CRD of crds/").exists();
    assertThat(Files.readString(chartCopy))
        .as("the chart's CRD must equal crds/" + file)
        .isEqualTo(generated);
  }

  /** The CRD generated from the model, as committed under crds/. */
  static String generate(Class<? extends CustomResource<?, ?>> resource) throws IOException {
    Path out = Path.of("target", "generated-crds");
    Files.createDirectories(out);
    new CRDGenerator()
        .customResourceClasses(resource)
        .withPostProcessor(new ResourceDescription(resource))
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    return PrinterColumnOrder.asDeclared(Files.readString(out.resolve(file(resource))), resource);
  }
}
