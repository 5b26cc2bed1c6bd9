package org.sparknmf.jmh;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The per-partition statistics of one step ({@code org.sparknmf.engine.BatchStatistics}: the H
 * statistics for {@code n} features plus the cost scalars) as the engine's ordered aggregation
 * handles them: one pairwise {@code merge}, and one Kryo round trip through Spark's
 * {@link KryoSerializer} with the job's settings (how a task result reaches the driver). The class
 * is package-private in the engine, so it is reached by reflection (once, at class initialisation).
 *
 * <p>Merge: one add per double of the statistic ({@code n·k} numerator, plus {@code k²} Gram for
 * beta 2, {@code k} column sums for beta 1, {@code n·k} denominator for other betas); bytes 24 per
 * double (both read, one written). Serialization: bytes are the serialized size.
 */
public class StatisticsBench extends KernelBenchmark {

  private static final MethodHandle OF;
  private static final MethodHandle MERGE;
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  static {
    try {
      Class<?> batch = Class.forName("org.sparknmf.engine.BatchStatistics");
      Method of = batch.getDeclaredMethod("of", DataMatrix.class, DenseMatrix.class,
          DenseMatrix.class, BetaLoss.class, boolean.class, double.class);
      Method merge = batch.getDeclaredMethod("merge", batch);
      of.setAccessible(true);
      merge.setAccessible(true);
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      OF = lookup.unreflect(of).asType(MethodType.methodType(Object.class, DataMatrix.class,
          DenseMatrix.class, DenseMatrix.class, BetaLoss.class, boolean.class, double.class));
      MERGE = lookup.unreflect(merge).asType(
          MethodType.methodType(Object.class, Object.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Param({"2", "1", "0"})
  double beta;

  /** Features: the rows of the H statistics. */
  @Param({"10000", "100000"})
  int n;

  @Param("20")
  int k;

  Object acc;
  Object other;
  SerializerInstance kryo;
  ByteBuffer serialized;
  long mergeDoubles;

  @Setup
  public void setUp() throws Throwable {
    BetaLoss loss = new BetaLoss(beta);
    DenseMatrix ht = Data.factor(n, k, 0.005, 61);
    acc = statistics(loss, ht, 62);
    other = statistics(loss, ht, 63);
    kryo = new KryoSerializer(new SparkConf(false)
        .set("spark.serializer", KryoSerializer.class.getName())
        .set("spark.kryoserializer.buffer.max", "512m")).newInstance();
    serialized = kryo.serialize(acc, ANY);
    mergeDoubles = (long) n * k
        + (beta == 2.0 ? (long) k * k : beta == 1.0 ? k : (long) n * k);
  }

  /** The statistics of a block of 200 rows of a CSR X (density 1%). */
  private Object statistics(BetaLoss loss, DenseMatrix ht, long seed) throws Throwable {
    int rows = 200;
    CsrMatrix xb = Data.sparse(rows, n, 0.01, seed);
    DenseMatrix wb = Data.factor(rows, k, 0.005, seed + 100);
    return (Object) OF.invokeExact((DataMatrix) xb, wb, ht, loss, true, 0.0);
  }

  @Benchmark
  public Object merge(Work work) throws Throwable {
    work.add(mergeDoubles, 24L * mergeDoubles);
    return (Object) MERGE.invokeExact(acc, other);
  }

  @Benchmark
  public ByteBuffer kryoSerialize(Work work) {
    ByteBuffer b = kryo.serialize(acc, ANY);
    work.add(0, b.remaining());
    return b;
  }

  @Benchmark
  public Object kryoDeserialize(Work work) {
    work.add(0, serialized.remaining());
    return kryo.deserialize(serialized.duplicate(), ANY);
  }
}
