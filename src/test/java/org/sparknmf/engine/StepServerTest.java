package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The driver's end of the barrier stage against tasks played by plain sockets: which attempt it
 * serves, and when it tells the caller to replay the stage's steps on the next attempt.
 */
class StepServerTest {

  /** A task of one attempt: connects, answers each command with (partition, command). */
  private static final class FakeTask implements AutoCloseable {
    final Socket socket;
    final int partition;

    FakeTask(StepServer.Address a, int attempt, int partition) throws IOException {
      this.socket = StepServer.connect(a, attempt, partition);
      this.partition = partition;
    }

    /** Reads one command and replies to it; returns the command (null: the stage is over). */
    Object serveOne() throws IOException {
      Object command = Frames.read(socket.getInputStream(), () -> false);
      if (command != null) {
        Frames.write(socket.getOutputStream(), Frames.bytes(partition + ":" + command));
      }
      return command;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** The driver's round on another thread, as the tasks answer on this one. */
  private static CompletableFuture<List<Object>> roundAsync(StepServer server, String command,
      CompletableFuture<Void> job) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return server.round(command, job);
      } catch (StepServer.AttemptLost e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void repliesComeInPartitionOrderFromTheFullAttempt() throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost");
        FakeTask t1 = new FakeTask(server.address(), 0, 1);
        FakeTask t0 = new FakeTask(server.address(), 0, 0)) {
      server.awaitAttempt(job);
      CompletableFuture<List<Object>> replies = roundAsync(server, "step", job);
      assertEquals("step", t1.serveOne());
      assertEquals("step", t0.serveOne());
      assertEquals(List.of("0:step", "1:step"), replies.get());
      server.finish();
      assertNull(t0.serveOne());
      assertNull(t1.serveOne());
      job.complete(null);
      server.awaitEnd(job); // returns: the job ended without a newer attempt
    }
  }

  @Test
  void aLostTaskMakesTheRoundFailAndTheNextAttemptIsServed() throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost");
        FakeTask t0 = new FakeTask(server.address(), 0, 0)) {
      FakeTask t1 = new FakeTask(server.address(), 0, 1);
      server.awaitAttempt(job);
      t1.close(); // its executor died
      CompletableFuture<StepServer.AttemptLost> lost = CompletableFuture.supplyAsync(() -> {
        try {
          server.round("step", job);
          return null;
        } catch (StepServer.AttemptLost e) {
          return e;
        }
      });
      t0.serveOne();
      assertTrue(lost.get().getMessage().contains("task 1 of stage attempt 0"), lost.get().getMessage());
      try (FakeTask n0 = new FakeTask(server.address(), 1, 0);
          FakeTask n1 = new FakeTask(server.address(), 1, 1)) {
        server.awaitAttempt(job);
        CompletableFuture<List<Object>> replies = roundAsync(server, "again", job);
        n0.serveOne();
        n1.serveOne();
        assertEquals(List.of("0:again", "1:again"), replies.get());
      }
    }
  }

  /**
   * A task lost after the stage's last step: Spark reruns the whole stage, and its new tasks wait
   * for steps. The driver must not wait for the job alone: it would wait for ever.
   */
  @Test
  void aNewAttemptAfterTheLastStepMeansReplayNotWaiting() throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost");
        FakeTask t0 = new FakeTask(server.address(), 0, 0);
        FakeTask t1 = new FakeTask(server.address(), 0, 1)) {
      server.awaitAttempt(job);
      server.finish();
      assertNull(t0.serveOne());
      assertNull(t1.serveOne());
      try (FakeTask n0 = new FakeTask(server.address(), 1, 0)) {
        StepServer.AttemptLost e = assertThrows(StepServer.AttemptLost.class, () -> server.awaitEnd(job));
        assertTrue(e.getMessage().contains("attempt 0 was lost after its last step"), e.getMessage());
      }
    }
  }

  @Test
  void aJobEndingBeforeItsTasksConnectedIsReported() throws Exception {
    CompletableFuture<Void> job = CompletableFuture.completedFuture(null);
    try (StepServer server = new StepServer(2, "localhost");
        FakeTask t0 = new FakeTask(server.address(), 0, 0)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> server.awaitAttempt(job));
      assertTrue(e.getMessage().contains("ended before its tasks connected"), e.getMessage());
    }
  }
}
