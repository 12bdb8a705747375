package dev.availability.ou.sidecar;

/**
 * Entry point: {@code java -jar ou-sidecar.jar [--name=value ...]}. Configuration from OU_* environment
 * variables and flags (docs/sidecar-api.md). Exits non-zero when it cannot start.
 */
public final class SidecarMain {
  private SidecarMain() {}

  public static void main(String[] args) throws InterruptedException {
    long t0 = System.nanoTime();
    AutoCloseable sidecar;
    ShutdownLinger.Settings linger;
    try {
      PoolConfig pool = PoolConfig.from(System.getenv(), args);
      Config cfg = pool != null ? pool.base() : Config.from(System.getenv(), args);
      linger = ShutdownLinger.Settings.from(Config.settings(System.getenv(), args), cfg.control());
      sidecar = pool != null
          ? new PooledSidecar(pool) // a shared standby: one replica per unit of its pool
          : new Sidecar(cfg);
    } catch (Exception e) {
      Logs.error("ou-sidecar cannot start", e);
      System.exit(2);
      return;
    }
    AutoCloseable running = sidecar;
    ShutdownLinger.Settings lingering = linger;
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              try {
                // A primary's sidecar may be kept as the new primary's standby for a while.
                if (running instanceof Sidecar dedicated) dedicated.lingerAfterTerm(lingering);
                running.close();
              } catch (Exception e) {
                Logs.error("shutting down", e);
              }
            },
            "ou-shutdown"));
    long sinceProcessStart = ProcessHandle.current()
        .info()
        .startInstant()
        .map(i -> java.time.Duration.between(i, java.time.Instant.now()).toMillis())
        .orElse(-1L);
    Logs.info("ou-sidecar started in " + (System.nanoTime() - t0) / 1_000_000 + " ms ("
        + sinceProcessStart + " ms since the process started)");
    new java.util.concurrent.CountDownLatch(1)
        .await(); // every worker thread is a daemon: main keeps the process alive
  }
}
