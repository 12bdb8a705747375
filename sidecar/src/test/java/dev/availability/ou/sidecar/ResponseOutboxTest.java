package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Who writes a connection's responses: a thread that completes a write elsewhere (the standby's ACK receiver)
 * writes the response itself when the socket takes it at once, and never waits for a client that does not
 * read: the rest goes to the connection's writing thread, in order.
 */
class ResponseOutboxTest {
  /** A socket: {@code writeNow} takes at most {@code room} bytes, {@code writeAll} waits for {@code open}. */
  static final class FakeSocket implements ResponseOutbox.Sink {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> writers = new ArrayList<>();
    final CountDownLatch open = new CountDownLatch(1);
    volatile int room = Integer.MAX_VALUE;

    @Override
    public synchronized void writeNow(ByteBuffer b) {
      int n = Math.min(room, b.remaining());
      byte[] bytes = new byte[n];
      b.get(bytes);
      received.writeBytes(bytes);
      room -= n;
      if (n > 0) writers.add(Thread.currentThread().getName());
    }

    @Override
    public void writeAll(ByteBuffer b) throws IOException {
      try {
        open.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (this) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        received.writeBytes(bytes);
        writers.add(Thread.currentThread().getName());
      }
    }

    /** The ids of the whole frames received, in order. */
    synchronized List<Integer> ids() {
      List<Integer> ids = new ArrayList<>();
      ByteBuffer b = ByteBuffer.wrap(received.toByteArray());
      while (b.remaining() >= 4 && b.remaining() >= 4 + b.getInt(b.position())) {
        int len = b.getInt();
        ids.add(b.getInt());
        b.position(b.position() + len - 4);
      }
      return ids;
    }
  }

  final Thread reader = new Thread(() -> {}, "connection-reader"); // the owner; never runs here

  @Test
  void aResponseCompletedOnAnotherThreadIsWrittenOnThatThreadWhenTheSocketTakesIt()
      throws Exception {
    FakeSocket socket = new FakeSocket();
    ResponseOutbox outbox = new ResponseOutbox(socket, reader); // no writing thread started
    outbox.accepted();
    Thread ackReceiver = new Thread(
        () -> {
          outbox.queue(7, 0, new byte[8], true);
          outbox.push();
        },
        "ack-receiver");
    ackReceiver.start();
    ackReceiver.join(5000);

    assertThat(socket.ids())
        .as("the response, written without the writing thread")
        .containsExactly(7);
    assertThat(socket.writers).containsExactly("ack-receiver");
    assertThat(outbox.hasRoom()).isTrue();
  }

  @Test
  void aClientThatDoesNotReadNeverHoldsThePusherAndGetsItsResponsesInOrderLater() throws Exception {
    FakeSocket socket = new FakeSocket();
    socket.room =
        20; // the socket takes a frame (17 bytes) and a bit, then is full (the client does not
    // read)
    ResponseOutbox outbox = new ResponseOutbox(socket, reader);
    Thread writer = Thread.ofPlatform().name("outbox-writer").daemon().start(outbox::run);
    for (int i = 1; i <= 3; i++) outbox.accepted();

    Thread ackReceiver = new Thread(
        () -> {
          outbox.queue(1, 0, new byte[8], true);
          outbox.queue(2, 0, new byte[8], true);
          outbox.push();
          outbox.queue(3, 0, new byte[8], true);
          outbox.push();
        },
        "ack-receiver");
    ackReceiver.start();
    ackReceiver.join(5000);
    assertThat(ackReceiver.isAlive())
        .as("the pusher returned though the socket took only 20 bytes")
        .isFalse();
    assertThat(socket.ids()).as("what the full socket took").containsExactly(1);

    socket.open.countDown(); // the client reads again
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (socket.ids().size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(socket.ids())
        .as("the rest, by the writing thread, in order")
        .containsExactly(1, 2, 3);
    assertThat(socket.writers).startsWith("ack-receiver").contains("outbox-writer");
    while (!outbox.hasRoom() && System.nanoTime() < deadline) Thread.sleep(5);
    outbox.close();
    writer.join(5000);
  }
}
