package org.sparknmf.engine;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.spark.BarrierTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's end of a barrier stage of mini-batch steps ({@link BarrierMiniBatch}): a socket the
 * stage's tasks connect to, one connection per task. The driver sends each step's command to every
 * task and reads their replies, in partition order; a step costs two messages per task instead of
 * a Spark job. Spark's own {@code BarrierTaskContext.allGather} is not used: it polls for its reply
 * once a second. A task in the driver's own JVM (Spark's local mode) is linked to it in memory
 * instead ({@link StepChannel.InProcess}).
 *
 * <p>When a stage attempt fails (a task or its executor is lost), Spark reruns the whole barrier
 * stage; its new tasks connect with the next attempt number, and the driver replays the stage's
 * steps from where the stage started.
 */
final class StepServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StepServer.class);
  /** How often a blocked read checks whether the job has ended. */
  static final int POLL_MILLIS = 200;
  /**
   * Socket buffers, bytes: a step's frames (Hᵀ out, the statistics back: n·k doubles each) of up to
   * this size fit, so the driver's write to one task returns at once instead of waiting for that
   * task to read (Linux starts a TCP send buffer at 16 KB), and the next task gets Hᵀ as early.
   * Linux caps the request at {@code net.core.wmem_max} / {@code rmem_max} (doubled; 4 MB here,
   * often 208 KB by default): larger frames then wait for the reader, as they did before.
   */
  static final int SOCKET_BUFFER = 4 << 20;

  /** The servers open in this JVM by token, for tasks that run in it. */
  private static final Map<Long, StepServer> IN_THIS_JVM = new ConcurrentHashMap<>();

  /**
   * Where the tasks connect, the secret that proves a connection is one of theirs, and whether a
   * task in the driver's JVM may link to it in memory.
   */
  static final class Address implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final String host;
    final int port;
    final long token;
    final boolean inProcess;

    Address(String host, int port, long token, boolean inProcess) {
      this.host = host;
      this.port = port;
      this.token = token;
      this.inProcess = inProcess;
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Thrown when the current attempt lost a task: the stage's steps are to be replayed. */
  static final class AttemptLost extends Exception {
    private static final long serialVersionUID = 1L;

    AttemptLost(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final int tasks;
  private final ServerSocket server;
  private final Address address;
  private final Thread acceptor;
  private final Map<Integer, StepChannel[]> attempts = new HashMap<>();
  private StepChannel[] current;
  private int currentAttempt = -1;
  private volatile boolean closed;

  /**
   * Listens on an ephemeral port of every interface; tasks reach it at {@code host}, or in memory
   * when they run in this JVM and {@code inProcess} allows it.
   */
  StepServer(int tasks, String host, boolean inProcess) throws IOException {
    this.tasks = tasks;
    this.server = new ServerSocket();
    server.setReceiveBufferSize(SOCKET_BUFFER); // before bind: accepted sockets inherit it
    server.bind(new InetSocketAddress(0));
    this.address = new Address(host, server.getLocalPort(), new SecureRandom().nextLong(), inProcess);
    if (inProcess) {
      IN_THIS_JVM.put(address.token, this);
    }
    this.acceptor = new Thread(this::acceptLoop, "spark-nmf step server " + address);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  Address address() {
    return address;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        s.setSendBufferSize(SOCKET_BUFFER);
        s.setSoTimeout(POLL_MILLIS);
        register(s);
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("step server {}: a connection failed: {}", address, e.toString());
        }
      }
    }
  }

  /** Reads a task's greeting (token, stage attempt, partition) and files the connection. */
  private void register(Socket s) throws IOException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    byte[] header = new byte[16];
    try {
      Frames.readFully(s.getInputStream(), header, () -> System.nanoTime() > deadline);
    } catch (IOException e) {
      s.close(); // closed or silent for 10 s: not one of the stage's tasks
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(header);
    if (b.getLong() != address.token) {
      s.close();
      return;
    }
    file(b.getInt(), b.getInt(), new StepChannel.OverSocket(s));
  }

  /** Files a task's link under its stage attempt and partition; a second one for a slot is closed. */
  private synchronized void file(int attempt, int partition, StepChannel link) {
    StepChannel[] slots = attempts.computeIfAbsent(attempt, a -> new StepChannel[tasks]);
    if (partition < 0 || partition >= tasks || slots[partition] != null) {
      link.close();
      return;
    }
    slots[partition] = link;
    notifyAll();
  }

  /**
   * Waits until every task of a stage attempt newer than the one in use has connected, and uses it.
   *
   * @throws IllegalStateException when the job ends first (it failed, or it ended without us)
   */
  void awaitAttempt(Future<?> job) throws InterruptedException {
    synchronized (this) {
      while (true) {
        for (Map.Entry<Integer, StepChannel[]> e : attempts.entrySet()) {
          if (e.getKey() > currentAttempt && full(e.getValue())) {
            dropCurrent();
            currentAttempt = e.getKey();
            current = e.getValue();
            return;
          }
        }
        if (job.isDone()) {
          throw new IllegalStateException("the barrier stage ended before its tasks connected to " + address);
        }
        wait(POLL_MILLIS);
      }
    }
  }

  private synchronized boolean newerAttempt() {
    return attempts.keySet().stream().anyMatch(a -> a > currentAttempt);
  }

  private static boolean full(StepChannel[] slots) {
    for (StepChannel t : slots) {
      if (t == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Sends {@code command} to every task of the current attempt and returns their replies in
   * partition order.
   *
   * @throws AttemptLost when a task's connection fails, or the job ends, before it replied
   */
  List<Object> round(Object command, Future<?> job) throws AttemptLost {
    StepChannel.Message message = new StepChannel.Message(command);
    StepChannel[] ts;
    synchronized (this) {
      ts = current;
    }
    List<Object> replies = new ArrayList<>(ts.length);
    int p = 0;
    try {
      for (p = 0; p < ts.length; p++) {
        ts[p].send(message);
      }
      // A task whose host vanished may never close its socket: give up also when the stage's
      // next attempt has connected.
      for (p = 0; p < ts.length; p++) {
        replies.add(ts[p].receive(() -> job.isDone() || newerAttempt()));
      }
    } catch (IOException e) {
      throw new AttemptLost("task " + p + " of stage attempt " + currentAttempt + " was lost: " + e, e);
    }
    return replies;
  }

  /**
   * Tells every task of the current attempt that the stage is over (they return their W blocks).
   *
   * @throws AttemptLost when a task's connection fails
   */
  void finish() throws AttemptLost {
    StepChannel.Message end = new StepChannel.Message(null);
    StepChannel[] ts;
    synchronized (this) {
      ts = current;
    }
    for (int p = 0; p < ts.length; p++) {
      try {
        ts[p].send(end);
      } catch (IOException e) {
        throw new AttemptLost("task " + p + " of stage attempt " + currentAttempt + " was lost: " + e, e);
      }
    }
  }

  /**
   * After {@link #finish}: waits for the job to end. A task may still be lost after its last step
   * (Spark then reruns the whole barrier stage, whose new tasks wait for steps), so a newer attempt
   * connecting first means the stage's steps are to be replayed.
   *
   * @throws AttemptLost when the stage's next attempt connects before the job ends
   */
  void awaitEnd(Future<?> job) throws AttemptLost, InterruptedException {
    while (true) {
      if (newerAttempt()) {
        throw new AttemptLost("stage attempt " + currentAttempt + " was lost after its last step", null);
      }
      try {
        job.get(POLL_MILLIS, TimeUnit.MILLISECONDS); // returns as the job ends, not at the next poll
        return;
      } catch (TimeoutException e) {
        // still running: look for a newer attempt again
      } catch (ExecutionException | CancellationException e) {
        return; // ended: the caller reports the job's failure
      }
    }
  }

  private void dropCurrent() {
    if (current != null) {
      for (StepChannel t : current) {
        t.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    IN_THIS_JVM.remove(address.token, this);
    try {
      server.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
    synchronized (this) {
      attempts.values().forEach(ts -> {
        for (StepChannel t : ts) {
          if (t != null) {
            t.close();
          }
        }
      });
      attempts.clear();
    }
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A barrier task's side of the rounds: links to the server ({@link #connect}) and sends {@code
   * reply}'s answer to each command (null allowed) until the driver sends null ({@link #finish}).
   * Gives up when the task is interrupted.
   */
  static void serve(Address a, UnaryOperator<Object> reply) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    try (StepChannel driver = connect(a, ctx.stageAttemptNumber(), ctx.partitionId())) {
      long working = 0;
      long waiting = 0;
      int rounds = 0;
      long replied = System.nanoTime();
      for (Object command = driver.receive(ctx::isInterrupted); command != null;
          command = driver.receive(ctx::isInterrupted)) {
        long received = System.nanoTime();
        Object answer = reply.apply(command);
        long answered = System.nanoTime();
        driver.send(new StepChannel.Message(answer));
        working += answered - received;
        waiting += received - replied;
        rounds++;
        replied = System.nanoTime();
      }
      if (rounds > 0) { // against the driver's figures, how evenly the tasks share a round
        LOG.debug("task {} of the barrier stage: {} rounds, {} ms a round computing, {} ms waiting for the next",
            ctx.partitionId(), rounds, millis(working / rounds), millis(waiting / rounds));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Nanoseconds as milliseconds with two decimals, for the logs. */
  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  /**
   * A task's end: links to the server in memory when it is open in this JVM and allows it, else
   * connects and greets.
   */
  static StepChannel connect(Address a, int attempt, int partition) throws IOException {
    StepServer local = a.inProcess ? IN_THIS_JVM.get(a.token) : null;
    if (local != null && !local.closed) {
      StepChannel.InProcess[] ends = StepChannel.InProcess.pair();
      local.file(attempt, partition, ends[0]);
      return ends[1];
    }
    Socket s = new Socket();
    try {
      s.setSendBufferSize(SOCKET_BUFFER);
      s.setReceiveBufferSize(SOCKET_BUFFER);
      s.connect(new InetSocketAddress(a.host, a.port), 30_000);
      s.setTcpNoDelay(true);
      s.setSoTimeout(POLL_MILLIS);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeLong(a.token);
      out.writeInt(attempt);
      out.writeInt(partition);
      out.flush();
      return new StepChannel.OverSocket(s);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot reach the driver's mini-batch step server at " + a
          + " (set spark.nmf.barrier=false to run one Spark job per step instead)", e);
    }
  }
}
