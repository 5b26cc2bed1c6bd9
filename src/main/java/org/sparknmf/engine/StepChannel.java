package org.sparknmf.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One end of the link between the driver and one task of a barrier stage ({@link StepServer}):
 * messages in order, both ways. Over a socket a message goes as a {@link Frames} frame; between a
 * driver and a task in the same JVM (Spark's local mode) it goes as the object itself, since its
 * encoding, the copies through the loopback socket and its decoding cost more than a step's own
 * work there (3.2 MB each way per task and step on the 20,000-column benchmark set). A receiver
 * never modifies what it receives, and a sender does not modify what it sent until the reply.
 */
interface StepChannel extends AutoCloseable {

  /** A message to send, encoded at most once however many channels it goes to. */
  final class Message {
    private final Object content;
    private byte[] frame;

    Message(Object content) {
      this.content = content;
    }

    Object content() {
      return content;
    }

    byte[] frame() {
      if (frame == null) {
        frame = Frames.bytes(content);
      }
      return frame;
    }
  }

  /**
   * Sends a message.
   *
   * @throws IOException when the link is closed or broken
   */
  void send(Message m) throws IOException;

  /**
   * The next message, waiting while {@code giveUp} is false (checked every
   * {@link StepServer#POLL_MILLIS}).
   *
   * @throws IOException when the link is closed or broken, or {@code giveUp} turned true
   */
  Object receive(BooleanSupplier giveUp) throws IOException;

  /** Closes this end; the other end's receive then fails. */
  @Override
  void close();

  /** A socket's end, with a read timeout set. */
  final class OverSocket implements StepChannel {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    OverSocket(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    @Override
    public void send(Message m) throws IOException {
      Frames.write(out, m.frame());
    }

    @Override
    public Object receive(BooleanSupplier giveUp) throws IOException {
      return Frames.read(in, giveUp);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing: nothing to do
      }
    }
  }

  /** One end of a pair in the same JVM: each end takes from its own queue and puts into the other's. */
  final class InProcess implements StepChannel {
    /** Stands for null, which a queue cannot hold. */
    private static final Object NULL = new Object();
    /** The other end closed. */
    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> in;
    private final BlockingQueue<Object> out;
    private InProcess other;
    private volatile boolean closed;

    private InProcess(BlockingQueue<Object> in, BlockingQueue<Object> out) {
      this.in = in;
      this.out = out;
    }

    /** Two connected ends. */
    static InProcess[] pair() {
      BlockingQueue<Object> a = new LinkedBlockingQueue<>();
      BlockingQueue<Object> b = new LinkedBlockingQueue<>();
      InProcess one = new InProcess(a, b);
      InProcess two = new InProcess(b, a);
      one.other = two;
      two.other = one;
      return new InProcess[] {one, two};
    }

    @Override
    public void send(Message m) throws IOException {
      if (closed || other.closed) {
        throw new EOFException("connection closed");
      }
      out.add(m.content() == null ? NULL : m.content());
    }

    @Override
    public Object receive(BooleanSupplier giveUp) throws IOException {
      while (true) {
        if (closed) {
          throw new EOFException("connection closed");
        }
        Object o;
        try {
          o = in.poll(StepServer.POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting");
        }
        if (o == CLOSED) {
          throw new EOFException("connection closed");
        }
        if (o != null) {
          return o == NULL ? null : o;
        }
        if (giveUp.getAsBoolean()) {
          throw new IOException("gave up waiting");
        }
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        out.add(CLOSED);
      }
    }
  }
}
