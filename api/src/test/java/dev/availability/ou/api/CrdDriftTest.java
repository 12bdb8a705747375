package dev.availability.ou.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD under crds/ is generated from the Java model. This test regenerates it and fails when the
 * committed file drifts; run with -Dou.crd.update=true to rewrite crds/ (and the chart's copy).
 */
class CrdDriftTest {
  static final String FILE = OperationalUnit.CRD_NAME + "-v1.yml";

  @Test
  void committedCrdMatchesTheModel() throws IOException {
    String generated = generate();
    assertThat(generated).contains("x-kubernetes-validations").contains("PRIMARY");

    Path root = RepoRoot.find();
    Path committed = root.resolve("crds").resolve(FILE);
    Path chartCopy = root.resolve("helm/ou-operator/crds").resolve(FILE);
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
    if (Files.exists(chartCopy)) {
      assertThat(Files.readString(chartCopy))
          .as("the chart's CRD must equal crds/" + FILE)
          .isEqualTo(generated);
    }
  }

  /** The CRD generated from the model, as committed under crds/. */
  static String generate() throws IOException {
    Path out = Path.of("target", "generated-crds");
    Files.createDirectories(out);
    new CRDGenerator()
        .customResourceClasses(OperationalUnit.class)
        .withPostProcessor(new ResourceDescription(OperationalUnit.class))
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    return PrinterColumnOrder.asDeclared(
        Files.readString(out.resolve(FILE)), OperationalUnit.class);
  }
}
