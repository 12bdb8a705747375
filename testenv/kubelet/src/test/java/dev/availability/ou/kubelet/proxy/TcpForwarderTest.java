package dev.availability.ou.kubelet.proxy;

import static dev.availability.ou.kubelet.proxy.Clients.HANG_MILLIS;
import static dev.availability.ou.kubelet.proxy.Clients.assertEndedByPeer;
import static dev.availability.ou.kubelet.proxy.Clients.send;
import static dev.availability.ou.kubelet.proxy.TestServer.readLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The forwarder with real sockets on 127.0.0.1: every endpoint is a {@link TestServer} on an ephemeral port. */
@Timeout(30)
class TcpForwarderTest {
  private final Clients clients = new Clients();
  private final List<AutoCloseable> toClose = new ArrayList<>(List.of(clients));

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  @Test
  void forwardsBytesBothWays() throws Exception {
    TestServer a = server(TestServer.identifyingEcho("a"));
    TcpForwarder forwarder = forwarder(() -> List.of(a.address()));

    Socket client = connect(forwarder);
    assertThat(readLine(client.getInputStream())).isEqualTo("a");
    send(client, "hello\n");
    assertThat(readLine(client.getInputStream())).isEqualTo("hello");
    assertThat(forwarder.connections()).isEqualTo(1);
  }

  @Test
  void resetsTheClientAtOnceWhenNoEndpointIsReady() throws Exception {
    TcpForwarder forwarder = forwarder(List::of);

    clients.assertRejected(forwarder.address());
  }

  @Test
  void resetsTheClientWhenTheEndpointRefuses() throws Exception {
    InetSocketAddress refusing;
    try (ServerSocket closedSoon = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refusing = (InetSocketAddress) closedSoon.getLocalSocketAddress();
    }
    TcpForwarder forwarder = forwarder(() -> List.of(refusing));

    clients.assertRejected(forwarder.address());
  }

  @Test
  void resetsTheClientWhenTheEndpointDoesNotAnswerWithinTheConnectTimeout() throws Exception {
    ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    toClose.add(silent);
    clients.fillAcceptQueue((InetSocketAddress) silent.getLocalSocketAddress());
    TcpForwarder forwarder =
        forwarder(() -> List.of((InetSocketAddress) silent.getLocalSocketAddress()));

    clients.assertRejected(forwarder.address());
  }

  @Test
  void takesTheReadyEndpointsRoundRobin() throws Exception {
    TestServer a = server(TestServer.identifyingEcho("a"));
    TestServer b = server(TestServer.identifyingEcho("b"));
    TcpForwarder forwarder = forwarder(() -> List.of(a.address(), b.address()));

    List<String> reached = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      reached.add(readLine(connect(forwarder).getInputStream()));
    }
    assertThat(reached).containsExactly("a", "b", "a", "b");
  }

  @Test
  void newConnectionsFollowTheEndpointsWhileEstablishedOnesStay() throws Exception {
    TestServer a = server(TestServer.identifyingEcho("a"));
    TestServer b = server(TestServer.identifyingEcho("b"));
    AtomicReference<List<InetSocketAddress>> ready = new AtomicReference<>(List.of(a.address()));
    TcpForwarder forwarder = forwarder(ready::get);

    Socket first = connect(forwarder);
    assertThat(readLine(first.getInputStream())).isEqualTo("a");
    ready.set(List.of(b.address()));
    Socket second = connect(forwarder);
    assertThat(readLine(second.getInputStream())).isEqualTo("b");
    ready.set(List.of());
    clients.assertRejected(forwarder.address());

    send(first, "still a\n");
    assertThat(readLine(first.getInputStream())).isEqualTo("still a");
    send(second, "still b\n");
    assertThat(readLine(second.getInputStream())).isEqualTo("still b");
  }

  @Test
  void clientHalfCloseReachesTheEndpointWhichCanStillAnswer() throws Exception {
    TestServer counter = server(new TestServer(socket -> {
      byte[] all = socket.getInputStream().readAllBytes();
      socket
          .getOutputStream()
          .write(("got " + all.length + " bytes\n").getBytes(StandardCharsets.UTF_8));
    }));
    TcpForwarder forwarder = forwarder(() -> List.of(counter.address()));

    Socket client = connect(forwarder);
    send(client, "abc");
    client.shutdownOutput();
    assertThat(readLine(client.getInputStream())).isEqualTo("got 3 bytes");
    assertThat(client.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void endpointHalfCloseReachesTheClientWhichCanStillSend() throws Exception {
    CompletableFuture<String> received = new CompletableFuture<>();
    TestServer farewell = server(new TestServer(socket -> {
      socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.UTF_8));
      socket.shutdownOutput();
      received.complete(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }));
    TcpForwarder forwarder = forwarder(() -> List.of(farewell.address()));

    Socket client = connect(forwarder);
    InputStream in = client.getInputStream();
    assertThat(readLine(in)).isEqualTo("bye");
    assertThat(in.read()).isEqualTo(-1);
    send(client, "late words");
    client.shutdownOutput();
    assertThat(received.get(HANG_MILLIS, TimeUnit.MILLISECONDS)).isEqualTo("late words");
  }

  @Test
  void anEndpointResetReachesTheClient() throws Exception {
    TestServer resetting = server(new TestServer(socket -> {
      socket.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
      socket.getInputStream().read();
      socket.setSoLinger(true, 0);
    }));
    TcpForwarder forwarder = forwarder(() -> List.of(resetting.address()));

    Socket client = connect(forwarder);
    assertThat(readLine(client.getInputStream())).isEqualTo("x");
    send(client, "!");
    assertEndedByPeer(client);
  }

  @Test
  void closeStopsListeningAndEndsEstablishedConnections() throws Exception {
    TestServer a = server(TestServer.identifyingEcho("a"));
    TcpForwarder forwarder = forwarder(() -> List.of(a.address()));
    Socket client = connect(forwarder);
    assertThat(readLine(client.getInputStream())).isEqualTo("a");

    forwarder.close();

    assertThat(forwarder.connections()).isZero();
    assertEndedByPeer(client);
    assertThatThrownBy(() -> new Socket().connect(forwarder.address(), HANG_MILLIS))
        .isInstanceOf(ConnectException.class);
  }

  private TestServer server(TestServer server) {
    toClose.add(server);
    return server;
  }

  private TcpForwarder forwarder(Supplier<List<InetSocketAddress>> endpoints) throws IOException {
    TcpForwarder forwarder = TcpForwarder.open("127.0.0.1", endpoints, Duration.ofSeconds(1));
    toClose.add(forwarder);
    return forwarder;
  }

  private Socket connect(TcpForwarder forwarder) throws IOException {
    return clients.connect(forwarder.address());
  }
}
