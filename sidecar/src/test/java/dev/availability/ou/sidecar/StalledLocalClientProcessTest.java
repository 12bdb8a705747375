package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.SidecarUnavailableException;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local clients that misbehave, against a real primary sidecar process (issue 15, item 10). Before the fix a
 * client that pipelined writes and never read its responses stalled every client: the log writer wrote that
 * client's acknowledgements to its socket inside its critical section and blocked there once the socket's
 * buffers were full; and any number of local connections was taken (two threads and 128 KiB each).
 */
class StalledLocalClientProcessTest {
  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair; // the standby starts only in Synchronous

  SidecarProcess primary;
  final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    pair = SidecarPair.in(root).withBoth("OU_MODE", "Asynchronous").withBoth("OU_FSYNC", "never");
    primary = pair.primary.with("OU_LOCAL_API_MAX_CONNECTIONS", "4");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : opened) c.close();
  }

  @Test
  void aClientThatPipelinesWritesAndNeverReadsStallsOnlyItself() throws Exception {
    primary.start();
    assertAnotherClientIsServedWhileOneNeverReads("write");
  }

  /**
   * In Synchronous the acknowledgements are released by the primary's ACK receiver, one thread for every
   * connection, which writes a response itself when the socket takes it at once: a client that does not read
   * must not hold it (it would hold every other client's Synchronous writes until their timeout).
   */
  @Test
  void inSynchronousAClientThatNeverReadsDoesNotHoldTheOthersAcknowledgements() throws Exception {
    pair.withBoth("OU_MODE", "Synchronous");
    primary.with("OU_SYNC_TIMEOUT", "30s");
    pair.start();
    try (OuClient first = primary.client()) {
      await() // the standby's session is up: a write is acknowledged by it
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(() -> first.put("first", "v".getBytes()) > 0);
    }
    assertAnotherClientIsServedWhileOneNeverReads("Synchronous write");
  }

  @Test
  void pastTheConnectionCapANewConnectionIsRefusedInWordsAndTheOthersAreServed() throws Exception {
    primary.start();
    for (int i = 0; i < 3; i++) connectRaw(); // idle, each holding a slot
    OuClient good = primary.client();
    opened.add(good);
    // the fourth slot: free once the start's readiness probe has left
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> good.put("good/0", "v".getBytes()) > 0);

    try (Socket extra = new Socket()) {
      extra.connect(new InetSocketAddress(primary.host, SidecarProcess.API_PORT), 2000);
      extra.setSoTimeout(5000);
      extra.getOutputStream().write(LocalProtocol.PREFACE);
      DataInputStream in = new DataInputStream(extra.getInputStream());
      assertThat(in.readNBytes(4)).isEqualTo(LocalProtocol.PREFACE);
      int len = in.readInt();
      assertThat(in.readInt()).as("a connection-level error").isZero();
      assertThat(in.readUnsignedByte()).isEqualTo(LocalProtocol.UNAVAILABLE);
      assertThat(new String(in.readNBytes(len - 5), StandardCharsets.UTF_8))
          .contains("4 local API connections");
      assertThat(in.read()).as("then closed").isEqualTo(-1);
    }
    try (OuClient refused = primary.client()) {
      assertThatThrownBy(() -> refused.put("refused", "v".getBytes()))
          .isInstanceOf(SidecarUnavailableException.class)
          .hasMessageContaining("4 local API connections");
    }
    assertThat(good.put("good/1", "v".getBytes()))
        .as("a connection admitted earlier is still served")
        .isPositive();

    // One idle connection leaves: a new one is admitted in its place, once the sidecar has seen the
    // close (its slot is released by the connection's reader at EOF, a moment after the client
    // closed).
    opened.remove(0).close();
    try (OuClient next = primary.client()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> next.put("next", "v".getBytes()) > 0);
    }
    // Read through a connection already admitted: primary.counter() opens a new one, which is
    // refused while the sidecar has not yet seen next's close (the four slots: two idle, good,
    // next).
    assertThat(good.status().number("counter.localApiConnectionsRefused"))
        .isGreaterThanOrEqualTo(2);
  }

  /**
   * One client pipelines writes and never reads their responses; another's 200 writes ({@code writes} names them in
   * the failure) are each acknowledged within 2 s, and the stalled client's connection stays open.
   */
  private void assertAnotherClientIsServedWhileOneNeverReads(String writes) throws Exception {
    SocketChannel stalled = connectRaw();
    pipelineWritesUntilTheSidecarStopsReading(stalled);

    try (OuClient other = primary.client()) {
      for (int i = 0; i < 200; i++) {
        long start = System.nanoTime();
        assertThat(other
                .putAsync(("other/" + i).getBytes(StandardCharsets.UTF_8), "v".getBytes())
                .get(2, TimeUnit.SECONDS))
            .as(
                "%s %d of a well-behaved client, acknowledged while another client does not read",
                writes, i)
            .isPositive();
        assertThat((System.nanoTime() - start) / 1_000_000)
            .as("ms for %s %d", writes, i)
            .isLessThan(2000);
      }
    }
    assertThat(stalled.isOpen()).isTrue();
    assertThat(primary.alive()).isTrue();
  }

  /** A connection past the preface, its receive buffer small so that unread responses fill it soon. */
  private SocketChannel connectRaw() throws IOException {
    SocketChannel ch = SocketChannel.open();
    opened.add(ch);
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
    ch.connect(new InetSocketAddress(primary.host, SidecarProcess.API_PORT));
    ch.write(ByteBuffer.wrap(LocalProtocol.PREFACE));
    ByteBuffer echo = ByteBuffer.allocate(4);
    while (echo.hasRemaining())
      if (ch.read(echo) < 0) throw new IOException("closed before the preface");
    return ch;
  }

  /**
   * Writes PUT requests back to back and reads nothing, until the sidecar has not taken a byte for a whole
   * second: this connection's buffers are full both ways and the sidecar no longer reads it.
   */
  private void pipelineWritesUntilTheSidecarStopsReading(SocketChannel ch) throws IOException {
    ByteBuffer frames = ByteBuffer.allocate(1000 * 128);
    byte[] value = new byte[100];
    for (int i = 0; i < 1000; i++) {
      byte[] key = String.format("stalled/%06d", i).getBytes(StandardCharsets.UTF_8);
      frames
          .putInt(5 + 2 + key.length + value.length)
          .putInt(i + 1)
          .put((byte) LocalProtocol.OP_PUT)
          .putShort((short) key.length)
          .put(key)
          .put(value);
    }
    frames.flip();
    ch.configureBlocking(false);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Selector writable = Selector.open()) {
      ch.register(writable, SelectionKey.OP_WRITE);
      while (System.nanoTime() < deadline) {
        if (!frames.hasRemaining()) frames.rewind();
        if (ch.write(frames) > 0) continue;
        if (writable.select(1000) == 0) return;
        writable.selectedKeys().clear();
      }
    }
    throw new AssertionError("the sidecar kept reading for 60 s a client that reads nothing");
  }
}
