package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Waiting for the log's durability: woken by the writer's batches, and by its failure. */
class DurableSeqWaitTest {
  final AtomicLong durableSeq = new AtomicLong();
  final AtomicReference<IOException> failure = new AtomicReference<>();
  final DurableSeqWait wait = new DurableSeqWait(durableSeq::get, failure::get);

  CompletableFuture<Void> awaiting(long seq) {
    return CompletableFuture.runAsync(() -> {
      try {
        wait.await(seq);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void returnsAtOnceWhenAlreadyDurable() throws Exception {
    durableSeq.set(5);
    wait.await(3);
    wait.await(5);
  }

  @Test
  void returnsOnceABatchMakesTheSequenceDurable() throws Exception {
    CompletableFuture<Void> f = awaiting(5);
    durableSeq.set(4);
    wait.reached(4);
    assertThat(f).isNotDone(); // cannot be: nothing up to 5 is durable
    durableSeq.set(6);
    wait.reached(6);
    f.get(5, TimeUnit.SECONDS);
  }

  @Test
  void throwsTheWritersFailure() {
    CompletableFuture<Void> f = awaiting(5);
    failure.set(new IOException("disk full"));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .rootCause()
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");
  }
}
