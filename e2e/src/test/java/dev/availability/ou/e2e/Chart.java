package dev.availability.ou.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The Helm chart in helm/ou-operator, rendered in-process with helm-java (no helm binary needed). */
final class Chart {
  static final String RELEASE = "ou-operator";

  private Chart() {}

  static Path repoRoot() {
    String p = System.getProperty("ou.repo.root");
    Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/ou-operator")))
      dir = dir.getParent();
    if (dir == null)
      throw new IllegalStateException("no helm/ou-operator above " + Path.of("").toAbsolutePath());
    return dir;
  }

  static Path dir() {
    return repoRoot().resolve("helm/ou-operator");
  }

  /** Renders the chart as release "ou-operator" in namespace ou-system with the given values (YAML, as a -f file). */
  static Rendered template(String valuesYaml) {
    try {
      Path values = Files.createTempFile("ou-chart-values", ".yaml");
      try {
        Files.writeString(values, valuesYaml);
        TemplateCommand t = new Helm(dir())
            .template()
            .withName(RELEASE)
            .withNamespace("ou-system")
            .withValuesFile(values);
        return new Rendered(t.call());
      } finally {
        Files.deleteIfExists(values);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A rendered manifest: its documents as typed objects. */
  record Rendered(String yaml, List<HasMetadata> objects) {
    Rendered(String yaml) {
      this(yaml, parse(yaml));
    }

    private static List<HasMetadata> parse(String yaml) {
      List<HasMetadata> out = new ArrayList<>();
      for (String doc : yaml.split("(?m)^---\\s*$")) {
        if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) continue;
        KubernetesResource r = Serialization.unmarshal(doc);
        out.add((HasMetadata) r);
      }
      return out;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
      return all(type).stream()
          .filter(o -> o.getMetadata().getName().equals(name))
          .findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
      return find(type, name)
          .orElseThrow(() ->
              new AssertionError("no " + type.getSimpleName() + " " + name + " in:\n" + names()));
    }

    List<String> names() {
      return objects.stream()
          .map(o -> o.getKind() + " "
              + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
              + o.getMetadata().getName())
          .toList();
    }
  }
}
