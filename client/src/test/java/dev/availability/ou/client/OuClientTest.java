package dev.availability.ou.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted fake sidecar speaking the documented protocol. */
class OuClientTest {
  /** Answers per op; replies out of order for PUTs to prove responses are matched by id. */
  static final class FakeSidecar implements AutoCloseable {
    final ServerSocket server;
    final AtomicLong seq = new AtomicLong();
    volatile int putStatus = LocalProtocol.OK;
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FakeSidecar() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> {
        while (true) {
          try {
            Socket s = server.accept();
            sockets.add(s);
            Thread c = new Thread(() -> serve(s));
            c.setDaemon(true);
            c.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    void serve(Socket s) {
      try (s) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        in.readNBytes(4);
        out.write(LocalProtocol.PREFACE);
        while (true) {
          int len = in.readInt();
          int id = in.readInt();
          int op = in.readUnsignedByte();
          byte[] p = in.readNBytes(len - 5);
          synchronized (out) {
            switch (op) {
              case LocalProtocol.OP_PUT -> {
                if (putStatus == LocalProtocol.OK)
                  send(
                      out,
                      id,
                      LocalProtocol.OK,
                      ByteBuffer.allocate(8).putLong(seq.incrementAndGet()).array());
                else send(out, id, putStatus, "refused".getBytes());
              }
              case LocalProtocol.OP_GET -> {
                if (new String(p).equals("missing"))
                  send(out, id, LocalProtocol.NOT_FOUND, new byte[0]);
                else send(out, id, LocalProtocol.OK, ("value-of-" + new String(p)).getBytes());
              }
              case LocalProtocol.OP_SCAN -> {
                ByteBuffer b = ByteBuffer.wrap(p);
                boolean first = b.get() == 0;
                ByteBuffer r =
                    ByteBuffer.allocate(64).put((byte) (first ? 1 : 0)).putInt(1);
                byte[] k = (first ? "a" : "b").getBytes();
                r.putShort((short) k.length).put(k).putInt(1).put((byte) 'x');
                send(out, id, LocalProtocol.OK, java.util.Arrays.copyOf(r.array(), r.position()));
              }
              case LocalProtocol.OP_IN_FLIGHT -> {
                byte[] a = "old".getBytes();
                byte[] b2 = "new".getBytes();
                ByteBuffer r =
                    ByteBuffer.allocate(12 + 2 * (10 + 3)).putLong(10).putInt(2);
                r.putShort((short) 3)
                    .put(a)
                    .putLong(5)
                    .putShort((short) 3)
                    .put(b2)
                    .putLong(12);
                send(out, id, LocalProtocol.OK, r.array());
              }
              case LocalProtocol.OP_STATUS ->
                send(out, id, LocalProtocol.OK, "role=PRIMARY\nepoch=4\nlastSeq=9\n".getBytes());
              case LocalProtocol.OP_WATCH -> {
                byte[] reason = "promoted".getBytes(StandardCharsets.UTF_8);
                send(
                    out,
                    id,
                    LocalProtocol.EVENT,
                    ByteBuffer.allocate(12 + reason.length)
                        .put((byte) 0)
                        .putLong(4)
                        .put((byte) 1)
                        .putShort((short) reason.length)
                        .put(reason)
                        .array());
              }
              default -> send(out, id, LocalProtocol.OK, new byte[0]);
            }
          }
        }
      } catch (IOException e) {
        // client gone
      }
    }

    static void send(DataOutputStream out, int id, int status, byte[] payload) throws IOException {
      out.writeInt(5 + payload.length);
      out.writeInt(id);
      out.writeByte(status);
      out.write(payload);
      out.flush();
    }

    void dropConnections() throws IOException {
      for (Socket s : sockets) s.close();
    }

    @Override
    public void close() throws IOException {
      server.close();
      dropConnections();
    }
  }

  FakeSidecar fake;

  @AfterEach
  void tearDown() throws IOException {
    if (fake != null) fake.close();
  }

  OuClient client() throws IOException {
    fake = new FakeSidecar();
    return OuClient.connect(fake.address(), Duration.ofSeconds(5));
  }

  @Test
  void dataOperationsRoundTrip() throws Exception {
    try (OuClient c = client()) {
      assertThat(c.put("k", "v".getBytes())).isEqualTo(1);
      assertThat(c.putAsync("k".getBytes(), "v".getBytes()).get(5, TimeUnit.SECONDS))
          .isEqualTo(2);
      assertThat(c.get("x"))
          .hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("value-of-x"));
      assertThat(c.get("missing")).isEmpty();
      assertThat(c.getAll()).containsOnlyKeys("a", "b");
      assertThat(c.status().epoch()).isEqualTo(4);
      assertThat(c.status().role()).isEqualTo(MemberRole.PRIMARY);
      assertThat(c.inFlight())
          .containsExactly(new Stimulus("old", 5, true), new Stimulus("new", 12, false));
    }
  }

  @Test
  void manyThreadsShareOneConnection() throws Exception {
    try (OuClient c = client()) {
      int threads = 16;
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        new Thread(() -> {
              for (int i = 0; i < 200; i++) c.put("k", new byte[10]);
              done.countDown();
            })
            .start();
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(fake.seq.get()).isEqualTo(3200);
      assertThat(fake.sockets).hasSize(1);
    }
  }

  @Test
  void statusesBecomeTypedExceptions() throws Exception {
    try (OuClient c = client()) {
      fake.putStatus = LocalProtocol.NOT_PRIMARY;
      assertThatThrownBy(() -> c.put("k", new byte[1])).isInstanceOf(NotPrimaryException.class);
      fake.putStatus = LocalProtocol.FENCED;
      assertThatThrownBy(() -> c.put("k", new byte[1])).isInstanceOf(FencedException.class);
      fake.putStatus = LocalProtocol.UNAVAILABLE;
      assertThatThrownBy(() -> c.put("k", new byte[1]))
          .isInstanceOf(StandbyUnavailableException.class);
      fake.putStatus = LocalProtocol.TOO_LARGE;
      assertThatThrownBy(() -> c.put("k", new byte[1])).isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void roleChangesArriveAndABrokenConnectionIsReestablished() throws Exception {
    try (OuClient c = client()) {
      List<RoleChange> seen = new CopyOnWriteArrayList<>();
      c.onRoleChange(seen::add);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (seen.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
      assertThat(seen).containsExactly(new RoleChange(MemberRole.PRIMARY, 4, true, "promoted"));
      fake.dropConnections();
      Thread.sleep(100);
      c.ping(); // reconnects (the first call after the break may fail)
    } catch (SidecarUnavailableException e) {
      // acceptable for the call that found the connection broken
    }
  }

  @Test
  void unreachableSidecarIsAClearException() {
    assertThatThrownBy(() -> OuClient.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), Duration.ofSeconds(1)))
        .isInstanceOf(SidecarUnavailableException.class)
        .hasMessageContaining("cannot reach the sidecar");
  }
}
