package org.sparknmf.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;
import org.sparknmf.linalg.DenseMatrix;

/**
 * Objects framed by their length on a socket between the driver and the tasks of a barrier stage
 * ({@link StepServer}). A step's command and reply ({@link BarrierMiniBatch.Step},
 * {@link BatchStatistics}) go as raw numbers, since they are sent every step and Java serialization
 * of their arrays cost more than the arrays' bulk copy (40 KB on lowrank: ~45 µs against a few);
 * anything else, null included, by Java serialization. The first byte says which. Numbers go
 * little-endian, the order of the machines Spark runs on, so that their bulk copies need no byte
 * swapping. Reads wait in short
 * timeouts so that the waiting side can notice that it should give up (a killed task, a failed job)
 * instead of blocking for ever.
 */
final class Frames {

  private Frames() {}

  private static final byte SERIALIZED = 0;
  private static final byte STEP = 1;
  private static final byte STATISTICS = 2;

  /** An object as bytes. */
  static byte[] bytes(Object o) {
    if (o instanceof BarrierMiniBatch.Step step) {
      DenseMatrix ht = step.ht();
      long bytes = 1 + 4 + 4 + 4 + 8L * ht.rows() * ht.cols();
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("H (" + ht.cols() + " × " + ht.rows() + ") is over 2 GB, more than "
            + "one message to the tasks can hold: set spark.nmf.barrier=false to broadcast it each step");
      }
      ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      b.put(STEP).putInt(step.slice()).putInt(ht.rows()).putInt(ht.cols());
      b.asDoubleBuffer().put(ht.data(), ht.offset(), ht.rows() * ht.cols());
      return b.array();
    }
    if (o instanceof BatchStatistics s) {
      ByteBuffer b = ByteBuffer.allocate(1 + s.encodedBytes()).order(ByteOrder.LITTLE_ENDIAN);
      b.put(STATISTICS);
      s.writeTo(b);
      return b.array();
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    buffer.write(SERIALIZED);
    try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
      out.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** The object of {@link #bytes}. */
  static Object object(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (b.get()) {
      case STEP -> {
        int slice = b.getInt();
        DenseMatrix ht = new DenseMatrix(b.getInt(), b.getInt());
        b.asDoubleBuffer().get(ht.data());
        return new BarrierMiniBatch.Step(slice, ht);
      }
      case STATISTICS -> {
        return BatchStatistics.readFrom(b);
      }
      case SERIALIZED -> {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
          return in.readObject();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
      default -> throw new IllegalStateException("corrupt frame: kind " + bytes[0]);
    }
  }

  /** Writes one frame (length, then the bytes of {@link #bytes}) and flushes. */
  static void write(OutputStream out, byte[] frame) throws IOException {
    int n = frame.length;
    out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    out.write(frame);
    out.flush();
  }

  /**
   * Reads one frame's object from a socket stream with a read timeout set, waiting while
   * {@code giveUp} is false.
   *
   * @throws IOException when the stream ends or fails, or {@code giveUp} turned true
   */
  static Object read(InputStream in, BooleanSupplier giveUp) throws IOException {
    byte[] header = new byte[4];
    readFully(in, header, giveUp);
    int n = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
    if (n < 0) {
      throw new IOException("corrupt frame length " + n);
    }
    byte[] body = new byte[n];
    readFully(in, body, giveUp);
    return object(body);
  }

  /**
   * Fills {@code buffer} from a socket stream with a read timeout set, waiting while {@code giveUp}
   * is false.
   *
   * @throws IOException when the stream ends or fails, or {@code giveUp} turned true
   */
  static void readFully(InputStream in, byte[] buffer, BooleanSupplier giveUp) throws IOException {
    int off = 0;
    while (off < buffer.length) {
      try {
        int r = in.read(buffer, off, buffer.length - off);
        if (r < 0) {
          throw new EOFException("connection closed");
        }
        off += r;
      } catch (SocketTimeoutException e) {
        // A socket read that times out consumes nothing: check, then wait again.
        if (giveUp.getAsBoolean()) {
          throw new IOException("gave up waiting");
        }
      }
    }
  }
}
