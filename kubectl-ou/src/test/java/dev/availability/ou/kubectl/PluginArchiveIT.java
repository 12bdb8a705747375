package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release archive the build writes holds what the krew manifest installs, and the plugin runs from it. */
class PluginArchiveIT {

  @Test
  void theArchiveHoldsWhatTheKrewManifestInstallsAndThePluginRunsFromIt(@TempDir Path dir)
      throws IOException {
    Path archive;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      archive = files
          .filter(p -> p.getFileName().toString().matches("kubectl-ou-.+\\.tar\\.gz"))
          .findFirst()
          .orElseThrow(() -> new AssertionError(
              "no target/kubectl-ou-<version>.tar.gz: package the module first"));
    }
    List<String> names = extract(archive, dir);
    JsonNode platform = new YAMLMapper()
        .readTree(Path.of("krew/ou.yaml").toFile())
        .get("spec")
        .get("platforms")
        .get(0);
    for (JsonNode f : platform.get("files")) {
      var glob = FileSystems.getDefault().getPathMatcher("glob:" + f.get("from").asText());
      assertThat(names)
          .as("archive entries matching the manifest's files.from "
              + f.get("from").asText())
          .anyMatch(n -> glob.matches(Path.of(n)));
    }
    Path bin = dir.resolve(platform.get("bin").asText());
    assertThat(Files.isExecutable(bin)).as(bin + " executable").isTrue();

    Plugin.Result help = Processes.run(List.of(bin.toString(), "--help"), Map.of());
    assertThat(help.exit()).as(help.toString()).isZero();
    assertThat(help.out()).contains("Usage: kubectl ou", "status", "report");
    Plugin.Result version = Processes.run(List.of(bin.toString(), "--version"), Map.of());
    assertThat(version.out()).startsWith("kubectl ou 0.1.0");
  }

  private static List<String> extract(Path archive, Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        Path target = dir.resolve(e.getName()).normalize();
        if (!target.startsWith(dir))
          throw new AssertionError("entry outside the archive's root: " + e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        Files.copy(tar, target);
        if ((e.getMode() & 0100) != 0) target.toFile().setExecutable(true);
        names.add(e.getName());
      }
    }
    return names;
  }
}
