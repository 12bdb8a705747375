package dev.availability.ou.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the project checkout that holds {@code testenv/local-cluster}. */
public final class RepoRoot {

  static final String SCRIPT = "testenv/local-cluster";

  private RepoRoot() {}

  /**
   * The directory named by the system property {@code ou.repo.root} (set by the parent pom's surefire
   * configuration) when it holds the script, else the nearest directory at or above {@code start} that does.
   */
  public static Optional<Path> find(String property, Path start) {
    if (property != null && !property.isBlank()) {
      Path p = Path.of(property.strip()).toAbsolutePath().normalize();
      if (hasScript(p)) {
        return Optional.of(p);
      }
    }
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (hasScript(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** {@link #find} from this JVM's system property and working directory, or an error that says what to set. */
  public static Path require() {
    return find(System.getProperty("ou.repo.root"), Path.of(""))
        .orElseThrow(
            () -> new IllegalStateException("cannot find " + SCRIPT + ": set -Dou.repo.root to the "
                + "ou-operator checkout (Maven does), or run from inside it; working directory: "
                + Path.of("").toAbsolutePath()));
  }

  private static boolean hasScript(Path dir) {
    return Files.isRegularFile(dir.resolve(SCRIPT));
  }
}
