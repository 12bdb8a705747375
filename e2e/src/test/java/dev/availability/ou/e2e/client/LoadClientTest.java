package dev.availability.ou.e2e.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.samples.kvstore.KvStore;
import dev.availability.ou.samples.kvstore.Sidecar;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load client against real things on loopback: the sample store in front of two real sidecar
 * processes (Synchronous), a port nobody listens on, and a server that accepts and never answers.
 */
class LoadClientTest {
  @TempDir
  Path tmp;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) c.close();
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  @Test
  void writesToTheRealSampleStoreAreAllReadBackAndNamedByMemberAndEpoch() throws Exception {
    String net = Sidecar.freshNet();
    Path key = Sidecar.newKey(tmp);
    Sidecar a = keep(new Sidecar("a", net + "1", tmp, key).with("OU_MODE", "Synchronous"));
    Sidecar b = keep(new Sidecar("b", net + "2", tmp, key).with("OU_MODE", "Synchronous"));
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    KvStore store = keep(new KvStore(
            new InetSocketAddress(a.host, 0),
            new KvStore.SidecarLinkSettings(
                a.apiAddress(), Duration.ofSeconds(10), Duration.ofSeconds(2)),
            "kvstore-0")
        .start());
    String address = a.host + ":" + store.port();
    await("the store serves writes")
        .atMost(Duration.ofSeconds(60))
        .until(() -> put(address, "warm-up") == 200);

    LoadClient load =
        keep(LoadClient.start(LoadSettings.defaults(address).withWriters(4).withRate(200)));
    Thread.sleep(2000);
    load.stop();
    Map<String, String> readBack = load.readBack(Duration.ofSeconds(20));
    ClientVerdict v = load.verdict(readBack);

    System.out.print(VerdictText.table(v));
    assertThat(v.acknowledged()).as(VerdictText.json(v, Map.of())).isPositive();
    assertThat(v.lost()).as(v.lostExamples().toString()).isZero();
    assertThat(v.unidentifiedAcks()).isZero();
    assertThat(v.acksByMember()).containsOnlyKeys("kvstore-0");
    assertThat(v.acksByEpoch()).containsOnlyKeys(1L);
    assertThat(v.splitBrain()).isZero();
    assertThat(load.attempts())
        .filteredOn(Attempt::acked)
        .allSatisfy(x -> assertThat(readBack).containsEntry(x.key(), x.value()))
        .extracting(Attempt::key)
        .doesNotHaveDuplicates()
        .allMatch(k -> k.startsWith(load.runId() + "-w"));
  }

  @Test
  void aPortNobodyListensOnIsAFailureForEveryWrite() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    LoadClient load = keep(LoadClient.start(
        LoadSettings.defaults("127.0.0.1:" + port).withWriters(2).withRate(20)));
    Thread.sleep(500);
    load.stop();
    ClientVerdict v = load.verdict(Map.of());
    assertThat(v.attempts()).isPositive();
    assertThat(v.acknowledged()).isZero();
    assertThat(v.failed()).isEqualTo(v.attempts());
    assertThat(v.failuresByKind()).containsOnlyKeys("connect");
    assertThat(v.outageNanos()).isEqualTo(v.windowNanos());
  }

  @Test
  void aBackendThatNeverAnswersIsNoticedWithinTheTimeout() throws Exception {
    ServerSocket silent = keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    List<Socket> accepted = new ArrayList<>();
    Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
      try {
        while (true) {
          Socket s = silent.accept(); // and never answer
          synchronized (accepted) {
            accepted.add(s);
          }
          InputStream ignored = s.getInputStream();
        }
      } catch (IOException e) {
        // closed
      }
    });
    LoadClient load =
        keep(LoadClient.start(LoadSettings.defaults("127.0.0.1:" + silent.getLocalPort())
            .withWriters(1)
            .withRate(50)
            .withTimeout(Duration.ofMillis(200))));
    Thread.sleep(1500);
    load.stop();
    ClientVerdict v = load.verdict(Map.of());
    // A hung write ends at its timeout, so one writer keeps trying: several attempts, each a
    // timeout.
    assertThat(v.attempts()).isGreaterThanOrEqualTo(3);
    assertThat(v.failuresByKind()).containsOnlyKeys("timeout");
    silent.close();
    acceptor.join(2000);
    synchronized (accepted) {
      for (Socket s : accepted) s.close();
      assertThat(accepted).as("a new connection after each failure").hasSizeGreaterThanOrEqualTo(3);
    }
  }

  private static int put(String address, String key) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://" + address + "/kv/" + key))
                  .timeout(Duration.ofSeconds(5))
                  .PUT(HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }
}
