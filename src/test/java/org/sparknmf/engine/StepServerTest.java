package org.sparknmf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver's end of the barrier stage against tasks played by this thread, over sockets and in
 * memory (tasks in the driver's JVM): which attempt it serves, and when it tells the caller to
 * replay the stage's steps on the next attempt. Both links obey the same contract.
 */
class StepServerTest {

  /** A task of one attempt: connects, answers each command with (partition, command). */
  private static final class FakeTask implements AutoCloseable {
    final StepChannel link;
    final int partition;

    FakeTask(StepServer.Address a, int attempt, int partition) throws IOException {
      this.link = StepServer.connect(a, attempt, partition);
      this.partition = partition;
    }

    /** Reads one command and replies to it; returns the command (null: the stage is over). */
    Object serveOne() throws IOException {
      Object command = link.receive(() -> false);
      if (command != null) {
        link.send(new StepChannel.Message(partition + ":" + command));
      }
      return command;
    }

    @Override
    public void close() {
      link.close();
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

  @ParameterizedTest(name = "in memory: {0}")
  @ValueSource(booleans = {false, true})
  void repliesComeInPartitionOrderFromTheFullAttempt(boolean inProcess) throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost", inProcess);
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

  /** In the driver's JVM a command reaches the task as the driver's own object; over a socket as an equal copy. */
  @ParameterizedTest(name = "in memory: {0}")
  @ValueSource(booleans = {false, true})
  void aTaskGetsTheDriversObjectOnlyInMemory(boolean inProcess) throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(1, "localhost", inProcess);
        FakeTask t0 = new FakeTask(server.address(), 0, 0)) {
      server.awaitAttempt(job);
      java.util.ArrayList<Integer> command = new java.util.ArrayList<>(List.of(1, 2, 3));
      CompletableFuture<List<Object>> replies = CompletableFuture.supplyAsync(() -> {
        try {
          return server.round(command, job);
        } catch (StepServer.AttemptLost e) {
          throw new IllegalStateException(e);
        }
      });
      Object received = t0.serveOne();
      assertEquals(command, received);
      assertEquals(inProcess, received == command, "the same object");
      assertEquals(List.of("0:[1, 2, 3]"), replies.get());
    }
  }

  @ParameterizedTest(name = "in memory: {0}")
  @ValueSource(booleans = {false, true})
  void aLostTaskMakesTheRoundFailAndTheNextAttemptIsServed(boolean inProcess) throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost", inProcess);
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
  @ParameterizedTest(name = "in memory: {0}")
  @ValueSource(booleans = {false, true})
  void aNewAttemptAfterTheLastStepMeansReplayNotWaiting(boolean inProcess) throws Exception {
    CompletableFuture<Void> job = new CompletableFuture<>();
    try (StepServer server = new StepServer(2, "localhost", inProcess);
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

  @ParameterizedTest(name = "in memory: {0}")
  @ValueSource(booleans = {false, true})
  void aJobEndingBeforeItsTasksConnectedIsReported(boolean inProcess) throws Exception {
    CompletableFuture<Void> job = CompletableFuture.completedFuture(null);
    try (StepServer server = new StepServer(2, "localhost", inProcess);
        FakeTask t0 = new FakeTask(server.address(), 0, 0)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> server.awaitAttempt(job));
      assertTrue(e.getMessage().contains("ended before its tasks connected"), e.getMessage());
    }
  }
}
