package dev.availability.ou.sidecar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps the logs of a failed test's sidecars, which live in its {@code @TempDir} and go with it: copied to
 * {@code target/sidecar-logs/<class>/<test>/} (CI keeps {@code target}) and their tails printed with the failure, before
 * the processes are stopped. Register it with {@code @RegisterExtension} and {@link #watch} the processes.
 */
final class KeptSidecarLogs implements AfterTestExecutionCallback {
  private final List<SidecarProcess> watched = new CopyOnWriteArrayList<>();

  void watch(SidecarProcess... processes) {
    watched.addAll(List.of(processes));
  }

  @Override
  public void afterTestExecution(ExtensionContext context) throws IOException {
    try {
      if (context.getExecutionException().isEmpty()) return;
      Path dir = Path.of(
          "target",
          "sidecar-logs",
          context.getRequiredTestClass().getSimpleName(),
          context.getRequiredTestMethod().getName());
      Files.createDirectories(dir);
      for (SidecarProcess p : watched) {
        if (Files.exists(p.logFile))
          Files.copy(p.logFile, dir.resolve(p.name + ".log"), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("--- sidecar " + p.name + ", last lines (whole log in "
            + dir.toAbsolutePath() + ") ---\n" + p.tail());
      }
    } finally {
      watched.clear();
    }
  }
}
