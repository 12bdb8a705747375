package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A primary and its standby as two real sidecar processes ({@link SidecarProcess}) in standalone control, on a fresh
 * loopback net and sharing one peer key: the primary {@code a} (Primary at epoch 1), the standby {@code b} (Standby at
 * epoch 1). Change either one's environment before starting it ({@link SidecarProcess#with}, {@link #withBoth}).
 */
final class SidecarPair implements AutoCloseable {
  final SidecarProcess primary;
  final SidecarProcess standby;

  private SidecarPair(SidecarProcess primary, SidecarProcess standby) {
    this.primary = primary;
    this.standby = standby;
  }

  /** The pair's data directories, logs and peer key under {@code root}; nothing started. */
  static SidecarPair in(Path root) throws IOException {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    SidecarProcess primary = new SidecarProcess("a", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1");
    SidecarProcess standby = new SidecarProcess("b", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1");
    return new SidecarPair(primary, standby);
  }

  /** Sets an environment variable of both sidecars. */
  SidecarPair withBoth(String key, String value) {
    primary.with(key, value);
    standby.with(key, value);
    return this;
  }

  /** Starts the standby; returns once its local API answers. */
  SidecarPair startStandby() throws IOException, InterruptedException {
    standby.start();
    return this;
  }

  /** Starts the primary replicating to the standby; returns once its local API answers. */
  SidecarPair startPrimary() throws IOException, InterruptedException {
    primary.with("OU_PEER_ENDPOINT", standby.replicationEndpoint()).start();
    return this;
  }

  /** Starts the standby, then the primary (the standby first: the primary dials it). */
  SidecarPair start() throws IOException, InterruptedException {
    return startStandby().startPrimary();
  }

  /** {@link #start()}, then waits until the standby says it is in sync with the primary. */
  SidecarPair startInSync() throws IOException, InterruptedException {
    start();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(standby.status().inSync())
            .as(() ->
                "the standby in sync with its primary 30 s after they started; the standby's log:\n"
                    + standby.tail() + "\nthe primary's log:\n" + primary.tail())
            .isTrue());
    return this;
  }

  /**
   * The failover as the operator makes it with the old primary still running: the standby assigned Primary at
   * {@code epoch} towards the primary, then the primary assigned Standby at that epoch (both Synchronous). After it,
   * {@link #primary} is the standby and {@link #standby} the primary.
   */
  void failOverKeepingThePrimaryAsStandby(long epoch) {
    try (OuClient c = standby.client()) {
      c.assign(MemberRole.PRIMARY, epoch, primary.replicationEndpoint(), "Synchronous");
    }
    try (OuClient c = primary.client()) {
      c.assign(MemberRole.STANDBY, epoch, null, "Synchronous");
    }
  }

  /** Kills both (SIGKILL); either may have exited already. */
  @Override
  public void close() throws InterruptedException {
    try {
      primary.close();
    } finally {
      standby.close();
    }
  }
}
