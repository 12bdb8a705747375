package dev.availability.ou.api;

import java.nio.file.Files;
import java.nio.file.Path;

final class RepoRoot {
  static Path find() {
    String prop = System.getProperty("ou.repo.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "testenv"))) return Path.of(prop);
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("testenv"))) p = p.getParent();
    if (p == null)
      throw new IllegalStateException("cannot find the repository root (no testenv/ above "
          + Path.of("").toAbsolutePath() + ")");
    return p;
  }
}
