package org.sparknmf.engine;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.linalg.RowStack;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * X as an RDD of {@link RowBlock}s, one per partition, cached at the caller's storage level, with
 * the facts the fit needs (shape, non-zeros, sum, smallest entry, rows per partition) gathered in
 * the same pass that checks every entry. A block is CSR when fewer than half its entries are
 * non-zero, dense otherwise. Holds O(partitions) on the driver, never O(rows).
 */
public final class BlockedRows implements AutoCloseable {

  /** Rows of one partition and what was found in them (a class: Spark's Kryo cannot build records). */
  public static final class PartitionFacts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final int rows;
    private final int cols;
    private final long nonZeros;
    private final long stored;
    private final double sum;
    private final double min;

    PartitionFacts(int partition, int rows, int cols, long nonZeros, long stored, double sum, double min) {
      this.partition = partition;
      this.rows = rows;
      this.cols = cols;
      this.nonZeros = nonZeros;
      this.stored = stored;
      this.sum = sum;
      this.min = min;
    }

    public int partition() {
      return partition;
    }

    public int rows() {
      return rows;
    }

    public int cols() {
      return cols;
    }

    public long nonZeros() {
      return nonZeros;
    }

    /** Entries the block stores: all of a dense block, the non-zeros of a CSR one. */
    public long stored() {
      return stored;
    }

    public double sum() {
      return sum;
    }

    public double min() {
      return min;
    }
  }

  private static final double DENSE_FROM = 0.5;
  private static final VectorUDT VECTORS = new VectorUDT();

  /** What is cached: {@link #blocks} itself, or the blocks it moves to their rows' place in X. */
  private final JavaRDD<RowBlock> cached;
  private final JavaRDD<RowBlock> blocks;
  private final List<PartitionFacts> facts;
  private final long rows;
  private final int cols;
  private final long nonZeros;
  private final long stored;
  private final double sum;
  private final double min;
  private Long contentHash;

  private BlockedRows(JavaRDD<RowBlock> cached, JavaRDD<RowBlock> blocks, List<PartitionFacts> facts) {
    this.cached = cached;
    this.blocks = blocks;
    this.facts = List.copyOf(facts);
    long r = 0;
    long nnz = 0;
    long st = 0;
    double s = 0;
    double mn = Double.POSITIVE_INFINITY;
    int c = -1;
    for (PartitionFacts f : facts) {
      if (f.rows() == 0) {
        continue;
      }
      if (c >= 0 && f.cols() != c) {
        throw new IllegalArgumentException("X has rows of " + c + " and of " + f.cols()
            + " features (partition " + f.partition() + "): every row must have the same size");
      }
      c = f.cols();
      r += f.rows();
      nnz += f.nonZeros();
      st += f.stored();
      s += f.sum();
      mn = Math.min(mn, f.min());
    }
    if (r == 0 || c <= 0) {
      throw new IllegalArgumentException("X is empty: shape (" + r + ", " + Math.max(c, 0)
          + "), at least one sample and one feature are required");
    }
    this.rows = r;
    this.cols = c;
    this.nonZeros = nnz;
    this.stored = st;
    this.sum = s;
    this.min = mn;
  }

  /**
   * Blocks the rows of {@code features} (a Vector column) in the DataFrame's order; row ids are the
   * 0-based positions. {@code partitions} 0 keeps the DataFrame's partitioning.
   */
  public static BlockedRows fromDataset(Dataset<Row> data, String featuresCol, int partitions,
      StorageLevel level) {
    try (JobPhase phase = JobPhase.of(data.sparkSession().sparkContext(), "blocking X")) {
      JavaRDD<Vector> rows = vectors(data, featuresCol);
      int inputParts = rows.getNumPartitions();
      boolean inputCached = data.storageLevel().useMemory();
      List<long[]> parts = null;
      if (partitions == 0 || (inputCached && inputParts == partitions)) {
        // One read of the input: each partition's rows are numbered from 0, and its block is moved
        // to its place in X once the facts have counted every partition's rows. Asked for as many
        // blocks as the input has partitions, cached input cut as the blocks' ranges is done so too
        // (a frame split as Spark's parallelize or range split it); otherwise its facts replace the
        // read that takes each partition's shape below.
        BlockedRows once = null;
        try {
          once = blocked(numbered(rows, new long[inputParts], featuresCol), 0, level, inputCached, null);
        } catch (IllegalArgumentException refused) {
          // Read it again numbered as X (below), for an error that names the row as the input does.
        }
        if (once != null && (partitions == 0 || once.cutAs(new ContiguousRanges(partitions, once.rows)))) {
          return once.inInputOrder();
        }
        if (once != null) {
          parts = once.shapes();
          once.close();
        }
      }
      if (parts == null && inputParts > 1) {
        // One job takes each partition's shape, which also numbers the rows (as zipWithIndex's own
        // job would): the ids of partition p start after the rows of the partitions before it.
        List<long[]> shapes = SparkErrors.rethrowingBadInput(() -> rows.mapPartitions(BlockedRows::shapeOfRows).collect());
        long at = 0;
        for (long[] s : shapes) {
          if (s[3] >= 0) {
            throw new IllegalArgumentException("column '" + featuresCol + "' is null at row " + (at + s[3]));
          }
          at += s[0];
        }
        parts = numberedInOrder(shapes);
      }
      long[] first = new long[inputParts];
      for (int p = 0; parts != null && p < inputParts; p++) {
        first[p] = parts.get(p)[3];
      }
      return blocked(numbered(rows, first, featuresCol), partitions, level, inputCached, parts);
    }
  }

  /** The rows with ids, partition p's counted from {@code first[p]}. */
  private static JavaPairRDD<Long, Vector> numbered(JavaRDD<Vector> rows, long[] first, String featuresCol) {
    return JavaPairRDD.fromJavaRDD(rows.mapPartitionsWithIndex((p, it) -> {
      long[] id = {first[p]};
      Iterator<Tuple2<Long, Vector>> out = new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Tuple2<Long, Vector> next() {
          long i = id[0]++;
          return new Tuple2<>(i, vectorAt(it.next(), i, featuresCol));
        }
      };
      return out;
    }, true));
  }

  /**
   * These blocks, numbered from 0 within each partition, moved to their place in the input: by the
   * rows of the partitions before theirs. The move is a map over the cached blocks that shares
   * their arrays, so nothing is cached twice.
   */
  private BlockedRows inInputOrder() {
    long[] offsets = new long[facts.size()];
    long at = 0;
    boolean moves = false;
    for (int p = 0; p < offsets.length; p++) {
      offsets[p] = at;
      moves |= at > 0 && facts.get(p).rows() > 0;
      at += facts.get(p).rows();
    }
    if (!moves) {
      return this; // one partition holds every row: they are numbered as X already
    }
    return new BlockedRows(cached, blocks.mapPartitions(bs -> {
      List<RowBlock> moved = new ArrayList<>(1);
      bs.forEachRemaining(b -> moved.add(b.shifted(offsets[b.partition()])));
      return moved.iterator();
    }, true), facts);
  }

  /**
   * Whether these blocks, numbered from 0 within each partition, are those {@link #blocked} would
   * make for {@code ranges}: partition p holds exactly range p's rows, and every block is of X's
   * kind (dense or CSR, chosen there from X's density and here from each block's own).
   */
  private boolean cutAs(ContiguousRanges ranges) {
    boolean dense = isDense(nonZeros, rows, cols);
    return inRanges(shapes(), ranges)
        && facts.stream().allMatch(f -> f.rows() == 0 || isDense(f.nonZeros(), f.rows(), cols) == dense);
  }

  /** Each partition's {@link #shapeOf} as the rows would be numbered in input order, from the facts. */
  private List<long[]> shapes() {
    List<long[]> counts = new ArrayList<>(facts.size());
    for (PartitionFacts f : facts) {
      counts.add(new long[] {f.rows(), f.nonZeros(), f.rows() > 0 ? f.cols() : 0});
    }
    return numberedInOrder(counts);
  }

  /**
   * {@link #shapeOf}'s {rows, non-zeros, longest row, least id, greatest id} of each partition,
   * from its first three, the ids counted on from the partitions before it.
   */
  private static List<long[]> numberedInOrder(List<long[]> counts) {
    List<long[]> shapes = new ArrayList<>(counts.size());
    long at = 0;
    for (long[] c : counts) {
      shapes.add(new long[] {c[0], c[1], c[2], at, at + c[0] - 1});
      at += c[0];
    }
    return shapes;
  }

  /** Entries of a dense block of {@code rows} × {@code n}, refused beyond what one array holds. */
  static int denseEntries(long rows, int n) {
    if (rows * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a partition holds " + rows + " rows × " + n
          + " features, too many for one dense block: use more partitions");
    }
    return (int) (rows * n);
  }

  static boolean isDense(long nonZeros, long rows, int cols) {
    return (double) nonZeros >= DENSE_FROM * rows * (double) cols;
  }

  /**
   * The column's vectors in the frame's order, null where a row has none, decoded from Spark SQL's
   * internal rows: without the {@code Row}s of {@code javaRDD()}, whose generated deserializer takes
   * about 75 ms to plan and compile in a fresh JVM, and whose rows cost a tenth more to read.
   */
  private static JavaRDD<Vector> vectors(Dataset<Row> data, String featuresCol) {
    ClassTag<InternalRow> tag = ClassTag$.MODULE$.apply(InternalRow.class);
    return JavaRDD.fromRDD(data.select(featuresCol).queryExecution().toRdd(), tag).map(
        r -> r.isNullAt(0) ? null : VECTORS.deserialize(r.getStruct(0, VECTORS.sqlType().size())));
  }

  private static Vector vectorAt(Vector v, long id, String col) {
    if (v == null) {
      throw new IllegalArgumentException("column '" + col + "' is null at row " + id);
    }
    return v;
  }

  /** {rows, non-zeros, longest row, position of the first null row or −1} of one partition's rows. */
  private static Iterator<long[]> shapeOfRows(Iterator<Vector> it) {
    long[] s = {0, 0, 0, -1};
    while (it.hasNext()) {
      Vector v = it.next();
      if (v == null) {
        s[3] = s[3] < 0 ? s[0] : s[3];
      } else {
        s[1] += nonZeros(v);
        s[2] = Math.max(s[2], v.size());
      }
      s[0]++;
    }
    return List.of(s).iterator();
  }

  /**
   * Blocks rows given with their ids. With {@code partitions} &gt; 0 the ids must be 0 … m−1, and
   * the rows are split into that many blocks of consecutive ids, sizes differing by at most one;
   * with 0 the ids need only be unique and the input's partitioning is kept.
   */
  public static BlockedRows fromIndexed(JavaPairRDD<Long, Vector> rows, int partitions,
      StorageLevel level) {
    return fromIndexed(rows, partitions, level, rows.getStorageLevel().useMemory());
  }

  /**
   * {@code inputCached}: the rows are read from memory. Only then may input already cut into the
   * blocks' ranges skip the shuffle: a task that reads a file (Parquet) while it builds its block
   * holds the reader's buffers and the block at once (lowrank from Parquet: 216 MB of live
   * executor heap against 137 MB with the shuffle, which reads and builds in separate stages).
   */
  private static BlockedRows fromIndexed(JavaPairRDD<Long, Vector> rows, int partitions,
      StorageLevel level, boolean inputCached) {
    try (JobPhase phase = JobPhase.of(rows.context(), "blocking X")) {
      return blocked(rows, partitions, level, inputCached, null);
    }
  }

  /** @param shapes each partition's {@link #shapeOf}, when known, else null */
  private static BlockedRows blocked(JavaPairRDD<Long, Vector> rows, int partitions,
      StorageLevel level, boolean inputCached, List<long[]> shapes) {
    JavaRDD<RowBlock> blocks;
    if (partitions > 0) {
      // One job counts each partition's rows and non-zeros; then every row goes straight to its
      // slot in its block: no sort, and no list of a block's rows beside the block while it is built.
      List<long[]> parts = shapes != null ? shapes
          : SparkErrors.rethrowingBadInput(() -> rows.mapPartitions(BlockedRows::shapeOf).collect());
      long m = 0;
      long nnz = 0;
      long maxSize = 0;
      for (long[] part : parts) {
        m += part[0];
        nnz += part[1];
        maxSize = Math.max(maxSize, part[2]);
      }
      ContiguousRanges ranges = new ContiguousRanges(partitions, m);
      int n = (int) maxSize;
      boolean dense = isDense(nnz, m, n);
      // Cached input already cut into these ranges (as many even partitions, numbered in order):
      // its partitions are the blocks, without a shuffle of X.
      JavaPairRDD<Long, Vector> placedRows = inputCached && inRanges(parts, ranges) ? rows : rows.partitionBy(ranges);
      // Dense rows go straight to their slots; CSR arrays are sized by a first read of the rows.
      blocks = dense ? placedRows.mapPartitionsWithIndex((p, it) -> placed(p, ranges, n, it), true)
          : new TwoReadRdd<>(placedRows.rdd(), (p, first, second) -> placedCsr(p, ranges, n, first, second))
              .toJavaRDD();
    } else if (inputCached) {
      // Each partition read twice from memory in one task, for its shape and then for its block:
      // no copy of its rows beside the block while it is built.
      blocks = new TwoReadRdd<>(rows.rdd(), TwoReadBlock::of).toJavaRDD();
    } else {
      // Read once and gathered: a second read would scan the input's files again, and a file
      // reader holds its pages while the block is built, about what the gathered rows take.
      blocks = rows.mapPartitionsWithIndex(TwoReadBlock::gathered, true);
    }
    blocks.persist(level);
    try {
      List<PartitionFacts> facts = SparkErrors.rethrowingBadInput(() ->
          blocks.mapPartitionsWithIndex((p, it) -> describe(p, it), true).collect());
      return new BlockedRows(blocks, blocks, facts);
    } catch (RuntimeException e) {
      blocks.unpersist(false); // the blocks made before a refused row
      throw e;
    }
  }

  /** {rows, non-zeros, longest row, least id, greatest id} of one partition's rows. */
  private static Iterator<long[]> shapeOf(Iterator<Tuple2<Long, Vector>> it) {
    long[] s = {0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE};
    while (it.hasNext()) {
      Tuple2<Long, Vector> r = it.next();
      s[0]++;
      s[1] += nonZeros(r._2());
      s[2] = Math.max(s[2], r._2().size());
      s[3] = Math.min(s[3], r._1());
      s[4] = Math.max(s[4], r._1());
    }
    return List.of(s).iterator();
  }

  /** Whether input partition p holds exactly range p's ids, for every p (ids unique: checked when placed). */
  private static boolean inRanges(List<long[]> parts, ContiguousRanges ranges) {
    if (parts.size() != ranges.numPartitions()) {
      return false;
    }
    for (int p = 0; p < parts.size(); p++) {
      long[] s = parts.get(p);
      long size = ranges.first(p + 1) - ranges.first(p);
      if (s[0] != size || (size > 0 && (s[3] != ranges.first(p) || s[4] != ranges.first(p + 1) - 1))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The dense block of partition {@code p}'s range of ids, each row written to its slot as it
   * arrives. Errors name the row id.
   */
  private static Iterator<RowBlock> placed(int p, ContiguousRanges ranges, int n,
      Iterator<Tuple2<Long, Vector>> it) {
    long lo = ranges.first(p);
    int size = (int) (ranges.first(p + 1) - lo);
    if (size == 0) {
      return List.<RowBlock>of().iterator();
    }
    double[] data = new double[denseEntries(size, n)];
    boolean[] seen = new boolean[size];
    while (it.hasNext()) {
      Tuple2<Long, Vector> r = it.next();
      long id = r._1();
      int slot = (int) (id - lo);
      if (id < lo || slot >= size) {
        throw new IllegalArgumentException("row id " + id + " is outside 0 … " + (ranges.rows() - 1));
      }
      if (seen[slot]) {
        throw new IllegalArgumentException("row id " + id + " occurs twice");
      }
      seen[slot] = true;
      Vector v = r._2();
      if (v.size() != n) {
        throw otherSize(id, v.size(), n);
      }
      copyRow(id, v, data, slot * n);
    }
    long[] ids = new long[size];
    for (int i = 0; i < size; i++) {
      ids[i] = lo + i;
      if (!seen[i]) {
        throw missing(ids[i], ranges);
      }
    }
    return List.of(new RowBlock(p, ids, new DenseMatrix(size, n, data))).iterator();
  }

  /**
   * The CSR block of partition {@code p}'s range of ids from two reads of its rows
   * ({@link TwoReadBlock}), then checked to hold exactly that range, every row of {@code n}
   * features. Errors name the row id.
   */
  private static Iterator<RowBlock> placedCsr(int p, ContiguousRanges ranges, int n,
      Iterator<Tuple2<Long, Vector>> first, Iterator<Tuple2<Long, Vector>> second) {
    long lo = ranges.first(p);
    int size = (int) (ranges.first(p + 1) - lo);
    Iterator<RowBlock> made = TwoReadBlock.of(p, first, second, false);
    if (!made.hasNext()) {
      if (size > 0) {
        throw missing(lo, ranges);
      }
      return made;
    }
    RowBlock b = made.next();
    if (b.x().cols() != n) {
      throw otherSize(b.rowId(0), b.x().cols(), n);
    }
    for (int i = 0; i < b.rows(); i++) {
      if (b.rowId(i) < lo || b.rowId(i) >= lo + size) {
        throw new IllegalArgumentException("row id " + b.rowId(i) + " is outside 0 … " + (ranges.rows() - 1));
      }
      if (b.rowId(i) != lo + i) { // ascending and unique, so an id of the range is missing
        throw missing(lo + i, ranges);
      }
    }
    if (b.rows() != size) {
      throw missing(lo + b.rows(), ranges);
    }
    return List.of(b).iterator();
  }

  private static IllegalArgumentException otherSize(long id, int size, int n) {
    return new IllegalArgumentException("X row " + id + " has " + size + " features, another has " + n
        + ": every row must have the same size");
  }

  private static IllegalArgumentException missing(long id, ContiguousRanges ranges) {
    return new IllegalArgumentException("row id " + id + " is missing: row ids must be 0 … "
        + (ranges.rows() - 1));
  }

  /** Blocks an in-memory matrix into {@code partitions} contiguous row ranges (for tests and local data). */
  public static BlockedRows fromMatrix(org.apache.spark.api.java.JavaSparkContext jsc, DataMatrix x,
      int partitions, StorageLevel level) {
    List<Tuple2<Long, Vector>> list = new ArrayList<>(x.rows());
    DenseMatrix d = x instanceof DenseMatrix dm ? dm : null;
    for (int i = 0; i < x.rows(); i++) {
      list.add(new Tuple2<>((long) i, rowVector(x, d, i)));
    }
    JavaPairRDD<Long, Vector> rdd = JavaPairRDD.fromJavaRDD(jsc.parallelize(list, partitions));
    return fromIndexed(rdd, 0, level);
  }

  private static Vector rowVector(DataMatrix x, DenseMatrix d, int i) {
    if (d != null) {
      double[] v = new double[x.cols()];
      for (int j = 0; j < v.length; j++) {
        v[j] = d.get(i, j);
      }
      return new DenseVector(v);
    }
    CsrMatrix c = (CsrMatrix) x;
    int from = c.rowBegin(i);
    int to = c.rowEnd(i);
    int[] idx = java.util.Arrays.copyOfRange(c.indices(), from, to);
    double[] val = java.util.Arrays.copyOfRange(c.values(), from, to);
    return new SparseVector(x.cols(), idx, val).toSparse();
  }

  /**
   * One block of the given rows (ids ascending): CSR when fewer than half the entries are non-zero,
   * dense otherwise. Every entry is checked; errors name the row id and column.
   */
  public static RowBlock blockOf(int partition, long[] ids, List<Vector> rows) {
    return TwoReadBlock.of(partition, ids, rows);
  }

  /**
   * {@code v.numNonzeros()} over the vector's own array: Spark's runs a closure per entry, which
   * the shape job, run once per fit and so mostly before the JIT compiles it, paid about 0.15 s for
   * lowrank's 10 M entries.
   */
  static int nonZeros(Vector v) {
    double[] values = v instanceof DenseVector d ? d.values() : ((SparseVector) v).values();
    int nnz = 0;
    for (double value : values) {
      if (value != 0.0) {
        nnz++;
      }
    }
    return nnz;
  }

  /**
   * Writes row {@code id}'s checked entries into {@code data} from {@code base}. Through the
   * vector's own arrays: Spark's {@code foreachActive} calls a closure per entry, which made
   * blocking a dense X cost about as much as all the mini-batch steps' errors.
   */
  static void copyRow(long id, Vector v, double[] data, int base) {
    if (v instanceof DenseVector d) {
      double[] values = d.values();
      for (int j = 0; j < values.length; j++) {
        data[base + j] = checked(id, j, values[j]);
      }
    } else {
      SparseVector sv = (SparseVector) v;
      int[] idx = sv.indices();
      double[] values = sv.values();
      for (int e = 0; e < idx.length; e++) {
        data[base + idx[e]] = checked(id, idx[e], values[e]);
      }
    }
  }

  private static double checked(long row, int col, double v) {
    return checked("X", row, col, v);
  }

  /** The entry of {@code whom} (X, or a factor) at (row id, column), refused when negative, NaN or infinite. */
  static double checked(String whom, long row, int col, double v) {
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException(whom + " has NaN at row " + row + ", column " + col);
    }
    if (Double.isInfinite(v)) {
      throw new IllegalArgumentException(whom + " has an infinite value (" + v + ") at row " + row + ", column " + col);
    }
    if (v < 0) {
      throw new IllegalArgumentException(whom + " has a negative value (" + v + ") at row " + row
          + ", column " + col + "; NMF needs non-negative data");
    }
    return v;
  }

  private static Iterator<PartitionFacts> describe(int partition, Iterator<RowBlock> it) {
    if (!it.hasNext()) {
      return List.of(new PartitionFacts(partition, 0, 0, 0, 0, 0.0, Double.POSITIVE_INFINITY)).iterator();
    }
    DataMatrix x = it.next().x();
    long nonZeros = x instanceof DenseMatrix d
        ? nonZeros(d.data(), d.offset(), d.offset() + d.rows() * d.cols())
        : nonZeros(((CsrMatrix) x).values(), ((CsrMatrix) x).rowBegin(0), ((CsrMatrix) x).rowEnd(x.rows() - 1));
    return List.of(new PartitionFacts(partition, x.rows(), x.cols(), nonZeros, x.storedEntries(), x.sum(),
        x.min())).iterator();
  }

  /** Non-zeros among {@code values[from, to)}: a plain loop, not a visitor's call per entry (run mostly before the JIT compiles it). */
  private static long nonZeros(double[] values, int from, int to) {
    long n = 0;
    for (int e = from; e < to; e++) {
      if (values[e] != 0.0) {
        n++;
      }
    }
    return n;
  }

  /** The sum of {@link #entryHash} over a block's non-zero entries. */
  private static long hashOf(RowBlock b) {
    DataMatrix x = b.x();
    long hash = 0;
    if (x instanceof DenseMatrix d) {
      double[] data = d.data();
      for (int i = 0, e = d.offset(); i < d.rows(); i++) {
        long id = b.rowId(i);
        for (int j = 0; j < d.cols(); j++, e++) {
          if (data[e] != 0.0) {
            hash += entryHash(id, j, data[e]);
          }
        }
      }
    } else {
      CsrMatrix csr = (CsrMatrix) x;
      int[] indices = csr.indices();
      double[] values = csr.values();
      for (int i = 0; i < csr.rows(); i++) {
        long id = b.rowId(i);
        for (int p = csr.rowBegin(i), end = csr.rowEnd(i); p < end; p++) {
          if (values[p] != 0.0) {
            hash += entryHash(id, indices[p], values[p]);
          }
        }
      }
    }
    return hash;
  }

  /** A well-mixed 64-bit hash of one entry; summed, so the total does not depend on the order of entries. */
  private static long entryHash(long row, int col, double v) {
    return mix(mix(mix(row) + col) + Double.doubleToLongBits(v));
  }

  /** SplitMix64's finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  public JavaRDD<RowBlock> blocks() {
    return blocks;
  }

  /** Facts of every partition, in partition order (empty partitions have 0 rows). */
  public List<PartitionFacts> partitions() {
    return facts;
  }

  public int numPartitions() {
    return facts.size();
  }

  /** Rows in each partition, in partition order. */
  public int[] partitionRows() {
    return facts.stream().mapToInt(PartitionFacts::rows).toArray();
  }

  public long rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public long nonZeros() {
    return nonZeros;
  }

  /** Stored entries: all for dense X, the non-zeros for sparse (what collecting it costs). */
  public long storedEntries() {
    return stored;
  }

  public double sum() {
    return sum;
  }

  /**
   * A fingerprint of X's content: the sum (mod 2^64) of a 64-bit hash of every non-zero entry's
   * (row id, column, value bits). Equal for the same rows and values however they are partitioned
   * or stored (dense or CSR); any changed, added or moved value changes it with overwhelming
   * probability. Used to recognise the data a saved fit was made from.
   */
  public synchronized long contentHash() {
    if (contentHash == null) { // a job of its own, run only by fits that save checkpoints
      try (JobPhase phase = JobPhase.of(blocks.context(), "fingerprint of X")) {
        contentHash = blocks.map(BlockedRows::hashOf).fold(0L, Long::sum);
      }
    }
    return contentHash;
  }

  /** scikit-learn's {@code X.mean()}: over all rows × cols entries. */
  public double mean() {
    return sum / ((double) rows * cols);
  }

  /** The smallest entry, implicit zeros included. */
  public double min() {
    return nonZeros < rows * (long) cols ? Math.min(min, 0.0) : min;
  }

  /** All rows in one matrix on the driver, in row-id order (the driver-side path). */
  public DataMatrix collect() {
    List<RowBlock> all = new ArrayList<>(blocks.collect());
    all.sort(Comparator.comparingLong(b -> b.rowId(0)));
    return RowStack.of(all.stream().map(RowBlock::x).toList(), cols);
  }

  /** Releases the cached blocks. */
  @Override
  public void close() {
    cached.unpersist(false);
  }
}
