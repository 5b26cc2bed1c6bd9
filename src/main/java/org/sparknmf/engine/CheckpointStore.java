package org.sparknmf.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.SerializableConfiguration;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.util.NumpyRandomState;

/**
 * Fit checkpoints in a folder of any Hadoop file system. A checkpoint is a folder
 * {@code checkpoint-NNNNNNNNNN} (the epochs or iterations completed, 10 digits) holding
 * {@code manifest.json} and binary arrays; it is written as a hidden sibling
 * {@code .checkpoint-NNNNNNNNNN.tmp-UUID} and renamed into place only when complete, and the
 * previous checkpoint is deleted only after that. So the folder always holds at least one complete
 * checkpoint once the first is written, whenever the driver dies. W is written by the executors,
 * one file per partition of X, in the same pass; the driver writes Hᵀ, the accumulators, the
 * history and the generator, then the manifest, which lists every file with its length and CRC-32.
 * Everything read back is checked against the manifest (length, CRC-32, shape); nothing is
 * deserialized as Java objects.
 *
 * <p>Binary array file: the ASCII magic {@code SNMF}, then big-endian int32s: format version (1),
 * element type (1 = float64, 2 = int32), rows, columns; then rows × columns big-endian elements in
 * row-major order.
 */
final class CheckpointStore {

  static final String MANIFEST = "manifest.json";
  static final String FORMAT = "spark-nmf fit checkpoint";
  static final int VERSION = 1;

  private static final Pattern COMPLETE = Pattern.compile("checkpoint-(\\d{10})");
  private static final Pattern INCOMPLETE = Pattern.compile("\\.checkpoint-\\d{10}\\.tmp-.*");
  private static final byte[] MAGIC = "SNMF".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 20;
  private static final int FLOAT64 = 1;
  private static final int INT32 = 2;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final FileSystem fs;
  private final Path dir;
  private final SerializableConfiguration conf;

  private CheckpointStore(FileSystem fs, Path dir, Configuration conf) {
    this.fs = fs;
    this.dir = dir;
    this.conf = new SerializableConfiguration(conf);
  }

  static CheckpointStore open(Configuration conf, String dir) {
    try {
      Path path = new Path(dir);
      FileSystem fs = path.getFileSystem(conf);
      Path qualified = fs.makeQualified(path);
      if (fs.exists(qualified) && !fs.getFileStatus(qualified).isDirectory()) {
        throw new IllegalArgumentException("checkpointDir " + dir + " is a file, not a folder");
      }
      return new CheckpointStore(fs, qualified, conf);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpointDir " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The folder, as a user would type it (a plain path on the local file system). */
  String location() {
    return fs instanceof LocalFileSystem ? dir.toUri().getPath() : dir.toString();
  }

  Path dir() {
    return dir;
  }

  static String name(int progress) {
    return String.format("checkpoint-%010d", progress);
  }

  /** Complete checkpoints, newest first. */
  List<Path> complete() throws IOException {
    List<Path> out = new ArrayList<>();
    for (FileStatus st : list()) {
      if (st.isDirectory() && COMPLETE.matcher(st.getPath().getName()).matches()) {
        out.add(st.getPath());
      }
    }
    out.sort(Comparator.comparing((Path p) -> p.getName()).reversed());
    return out;
  }

  private FileStatus[] list() throws IOException {
    return fs.exists(dir) ? fs.listStatus(dir) : new FileStatus[0];
  }

  /** Deletes the temporary folders of checkpoints that were never completed; returns how many. */
  int removeIncomplete() throws IOException {
    int n = 0;
    for (FileStatus st : list()) {
      if (INCOMPLETE.matcher(st.getPath().getName()).matches()) {
        fs.delete(st.getPath(), true);
        n++;
      }
    }
    return n;
  }

  /** Deletes every checkpoint, complete or not (other files in the folder are left alone). */
  void removeAll() throws IOException {
    removeIncomplete();
    for (Path p : complete()) {
      fs.delete(p, true);
    }
  }

  // ---- reading ----

  /**
   * The newest checkpoint that reads back intact (driver arrays checked; W is checked when read),
   * or null when there is none. An older one is used, with a warning by the caller, when a newer
   * one is damaged; when all are, the first problem is thrown.
   */
  FitCheckpoint latest(List<String> problems) throws IOException {
    IllegalArgumentException first = null;
    for (Path p : complete()) {
      try {
        return read(p);
      } catch (IllegalArgumentException | IOException e) {
        problems.add(p.getName() + ": " + e.getMessage());
        if (first == null) {
          first = new IllegalArgumentException("checkpointDir " + location() + ": " + p.getName()
              + " cannot be used (" + e.getMessage() + "); delete the folder to start afresh", e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return null;
  }

  /** The signature in the newest complete checkpoint's manifest, or null when there is none. */
  Map<String, String> latestSignature() throws IOException {
    for (Path p : complete()) {
      Path manifestPath = new Path(p, MANIFEST);
      if (!fs.exists(manifestPath)) {
        continue;
      }
      try (InputStream in = fs.open(manifestPath)) {
        Map<String, String> out = new LinkedHashMap<>();
        JSON.readTree(in).path("signature").fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
      }
    }
    return null;
  }

  private FitCheckpoint read(Path folder) throws IOException {
    Path manifestPath = new Path(folder, MANIFEST);
    if (!fs.exists(manifestPath)) {
      throw new IllegalArgumentException("it has no " + MANIFEST);
    }
    JsonNode m;
    try (InputStream in = fs.open(manifestPath)) {
      m = JSON.readTree(in);
    }
    if (m == null || !FORMAT.equals(m.path("format").asText()) || m.path("version").asInt(-1) != VERSION) {
      throw new IllegalArgumentException(MANIFEST + " is not a version-" + VERSION + " spark-nmf checkpoint");
    }
    FitCheckpoint c = new FitCheckpoint();
    c.location = folder.toString();
    c.algorithm = text(m, "algorithm");
    if (!FitCheckpoint.MINI_BATCH.equals(c.algorithm) && !FitCheckpoint.FULL_BATCH.equals(c.algorithm)) {
      throw new IllegalArgumentException("unknown algorithm '" + c.algorithm + "'");
    }
    c.progress = integer(m, "progress");
    c.finished = m.path("finished").asBoolean();
    c.nIter = integer(m, "n_iter");
    Iterator<Map.Entry<String, JsonNode>> sig = m.path("signature").fields();
    while (sig.hasNext()) {
      Map.Entry<String, JsonNode> e = sig.next();
      c.signature.put(e.getKey(), e.getValue().asText());
    }
    JsonNode arrays = m.path("arrays");
    c.ht = readMatrix(folder, arrays.path("ht"));
    c.history = column(readMatrix(folder, arrays.path("history")));
    JsonNode s = m.path("state");
    if (c.miniBatch()) {
      c.numeratorAcc = readMatrix(folder, arrays.path("numerator_acc"));
      c.denominatorAcc = readMatrix(folder, arrays.path("denominator_acc"));
      c.batchSize = integer(s, "batch_size");
      c.rho = number(s, "rho");
      c.ewaCost = s.path("ewa_cost").isNull() ? null : number(s, "ewa_cost");
      c.ewaCostMin = s.path("ewa_cost_min").isNull() ? null : number(s, "ewa_cost_min");
      c.noImprovement = integer(s, "no_improvement");
      c.nextStep = integer(s, "next_step");
      c.stepsDone = integer(s, "steps_done");
    } else {
      c.violationInit = number(s, "violation_init");
      c.errorInit = number(s, "error_init");
      c.previousError = number(s, "previous_error");
      JsonNode rng = s.path("rng");
      if (!rng.isMissingNode() && !rng.isNull()) {
        int[] key = readInts(folder, arrays.path("rng_key"));
        c.rng = new NumpyRandomState.State(key, integer(rng, "pos"), rng.path("has_gauss").asBoolean(),
            number(rng, "gauss"));
      }
    }
    JsonNode w = m.path("w");
    c.wLayout = FitCheckpoint.WLayout.valueOf(text(w, "layout").toUpperCase(java.util.Locale.ROOT));
    c.wCols = integer(w, "cols");
    List<FitCheckpoint.WBlock> blocks = new ArrayList<>();
    for (JsonNode b : w.path("blocks")) {
      String file = text(b, "file");
      if (file.contains("..") || file.startsWith("/")) {
        throw new IllegalArgumentException("W file name '" + file + "' is not inside the checkpoint");
      }
      blocks.add(new FitCheckpoint.WBlock(integer(b, "partition"), file, integer(b, "rows"),
          b.path("bytes").asLong(), b.path("crc32").asLong()));
    }
    c.wBlocks = blocks.toArray(new FitCheckpoint.WBlock[0]);
    return c;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(MANIFEST + " has no text '" + field + "'");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isInt()) {
      throw new IllegalArgumentException(MANIFEST + " has no integer '" + field + "'");
    }
    return v.asInt();
  }

  /** Doubles are kept as text ({@code Double.toString}, which parses back to the same bits; NaN, Infinity). */
  private static double number(JsonNode n, String field) {
    try {
      return Double.parseDouble(text(n, field));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(MANIFEST + ": '" + field + "' is not a number");
    }
  }

  private static String number(double v) {
    return Double.toString(v);
  }

  private static List<Double> column(DenseMatrix m) {
    List<Double> out = new ArrayList<>(m.rows());
    for (int i = 0; i < m.rows(); i++) {
      out.add(m.get(i, 0));
    }
    return out;
  }

  private DenseMatrix readMatrix(Path folder, JsonNode entry) throws IOException {
    ArrayFile f = ArrayFile.of(entry);
    double[] data = new double[Math.multiplyExact(f.rows, f.cols)];
    readArray(fs, new Path(folder, f.file), f, FLOAT64, data, null);
    return new DenseMatrix(f.rows, f.cols, data);
  }

  private int[] readInts(Path folder, JsonNode entry) throws IOException {
    ArrayFile f = ArrayFile.of(entry);
    int[] data = new int[Math.multiplyExact(f.rows, f.cols)];
    readArray(fs, new Path(folder, f.file), f, INT32, null, data);
    return data;
  }

  /** An array file as the manifest describes it. */
  private record ArrayFile(String file, int rows, int cols, long bytes, long crc32) {
    static ArrayFile of(JsonNode n) {
      if (n.isMissingNode()) {
        throw new IllegalArgumentException(MANIFEST + " lacks an array");
      }
      String file = text(n, "file");
      if (file.contains("/") || file.contains("..")) {
        throw new IllegalArgumentException("array file name '" + file + "' is not inside the checkpoint");
      }
      return new ArrayFile(file, integer(n, "rows"), integer(n, "cols"), n.path("bytes").asLong(),
          n.path("crc32").asLong());
    }
  }

  /**
   * W of a checkpoint as blocks aligned with X's ({@link FitCheckpoint.WLayout#PARTITIONS}), read by
   * the executors; each block is checked against the manifest and X's block. Not cached.
   */
  JavaRDD<DenseMatrix> readW(FitCheckpoint c, BlockedRows x) {
    int[] rows = x.partitionRows();
    FitCheckpoint.WBlock[] byPartition = new FitCheckpoint.WBlock[rows.length];
    for (FitCheckpoint.WBlock b : c.wBlocks) {
      if (b.partition < 0 || b.partition >= rows.length) {
        throw new IllegalArgumentException("checkpoint " + c.location + " has W for partition " + b.partition
            + ", X has " + rows.length + " partitions");
      }
      byPartition[b.partition] = b;
    }
    for (int p = 0; p < rows.length; p++) {
      int saved = byPartition[p] == null ? 0 : byPartition[p].rows;
      if (saved != rows[p]) {
        throw new IllegalArgumentException("checkpoint " + c.location + " has " + saved + " W rows for partition "
            + p + " of X, which has " + rows[p]);
      }
    }
    String base = c.location;
    int k = c.wCols;
    SerializableConfiguration hadoop = conf;
    return x.blocks().mapPartitionsWithIndex((p, it) -> {
      if (!it.hasNext()) {
        return Collections.emptyIterator();
      }
      RowBlock block = it.next();
      FitCheckpoint.WBlock b = byPartition[p];
      if (b == null || b.rows != block.rows()) {
        throw new IllegalArgumentException("checkpoint " + base + " has no W for the " + block.rows()
            + " rows of partition " + p);
      }
      Path path = new Path(base, b.file);
      double[] data = new double[Math.multiplyExact(b.rows, k)];
      readArray(fileSystem(path, hadoop.value()), path, new ArrayFile(b.file, b.rows, k, b.bytes, b.crc32),
          FLOAT64, data, null);
      return List.of(new DenseMatrix(b.rows, k, data)).iterator();
    }, true);
  }

  /** W of a fit on the driver ({@link FitCheckpoint.WLayout#DRIVER}), {@code rows × k}. */
  DenseMatrix readDriverW(FitCheckpoint c, int rows) throws IOException {
    if (c.wBlocks.length != 1 || c.wBlocks[0].rows != rows) {
      throw new IllegalArgumentException("checkpoint " + c.location + " does not hold W for " + rows + " rows");
    }
    FitCheckpoint.WBlock b = c.wBlocks[0];
    double[] data = new double[Math.multiplyExact(rows, c.wCols)];
    readArray(fs, new Path(c.location, b.file), new ArrayFile(b.file, b.rows, c.wCols, b.bytes, b.crc32),
        FLOAT64, data, null);
    return new DenseMatrix(rows, c.wCols, data);
  }

  private static void readArray(FileSystem fs, Path path, ArrayFile f, int type, double[] doubles, int[] ints)
      throws IOException {
    int width = type == FLOAT64 ? 8 : 4;
    long expected = HEADER + (long) f.rows * f.cols * width;
    if (f.bytes != expected) {
      throw new IllegalArgumentException(path.getName() + ": the manifest says " + f.bytes + " bytes, a "
          + f.rows + " × " + f.cols + " array takes " + expected);
    }
    CRC32 crc = new CRC32();
    try (InputStream in = new BufferedInputStream(fs.open(path), 1 << 16)) {
      byte[] header = new byte[HEADER];
      readFully(in, header, HEADER, path);
      crc.update(header);
      ByteBuffer h = ByteBuffer.wrap(header);
      byte[] magic = new byte[4];
      h.get(magic);
      int version = h.getInt();
      int t = h.getInt();
      int r = h.getInt();
      int cols = h.getInt();
      if (!Arrays.equals(magic, MAGIC) || version != VERSION || t != type || r != f.rows || cols != f.cols) {
        throw new IllegalArgumentException(path.getName() + " is not the " + f.rows + " × " + f.cols
            + (type == FLOAT64 ? " float64" : " int32") + " array the manifest lists");
      }
      byte[] chunk = new byte[1 << 16];
      long n = (long) f.rows * f.cols;
      long done = 0;
      while (done < n) {
        int count = (int) Math.min(chunk.length / width, n - done);
        readFully(in, chunk, count * width, path);
        crc.update(chunk, 0, count * width);
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, count * width);
        for (int i = 0; i < count; i++) {
          if (type == FLOAT64) {
            doubles[(int) (done + i)] = b.getDouble();
          } else {
            ints[(int) (done + i)] = b.getInt();
          }
        }
        done += count;
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException(path.getName() + " is longer than the manifest says");
      }
    }
    if (crc.getValue() != f.crc32) {
      throw new IllegalArgumentException(path.getName() + " is damaged (CRC-32 differs from the manifest's)");
    }
  }

  private static void readFully(InputStream in, byte[] buf, int len, Path path) throws IOException {
    int off = 0;
    while (off < len) {
      int r = in.read(buf, off, len - off);
      if (r < 0) {
        throw new EOFException(path.getName() + " is shorter than the manifest says");
      }
      off += r;
    }
  }

  // ---- writing ----

  /**
   * Writes {@code c} with W from {@code wBlocks} (aligned with X's blocks; written by the
   * executors) or {@code wDriver} (all rows, row-id order), or neither; then makes it the current
   * checkpoint and deletes the others. The signature must be set.
   */
  void save(FitCheckpoint c, JavaRDD<DenseMatrix> wBlocks, DenseMatrix wDriver) throws IOException {
    String name = name(c.progress);
    Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
    boolean done = false;
    try {
      if (!fs.mkdirs(tmp)) {
        throw new IOException("cannot create " + tmp);
      }
      Map<String, Object> arrays = new LinkedHashMap<>();
      arrays.put("ht", writeMatrix(tmp, "ht.bin", c.ht));
      arrays.put("history", writeMatrix(tmp, "history.bin", columnOf(c.history)));
      Map<String, Object> state = new LinkedHashMap<>();
      if (c.miniBatch()) {
        arrays.put("numerator_acc", writeMatrix(tmp, "numerator-acc.bin", c.numeratorAcc));
        arrays.put("denominator_acc", writeMatrix(tmp, "denominator-acc.bin", c.denominatorAcc));
        state.put("next_step", c.nextStep);
        state.put("steps_done", c.stepsDone);
        state.put("batch_size", c.batchSize);
        state.put("rho", number(c.rho));
        state.put("ewa_cost", c.ewaCost == null ? null : number(c.ewaCost));
        state.put("ewa_cost_min", c.ewaCostMin == null ? null : number(c.ewaCostMin));
        state.put("no_improvement", c.noImprovement);
      } else {
        state.put("violation_init", number(c.violationInit));
        state.put("error_init", number(c.errorInit));
        state.put("previous_error", number(c.previousError));
        if (c.rng != null) {
          arrays.put("rng_key", writeInts(tmp, "rng-key.bin", c.rng.key()));
          Map<String, Object> rng = new LinkedHashMap<>();
          rng.put("pos", c.rng.pos());
          rng.put("has_gauss", c.rng.hasGauss());
          rng.put("gauss", number(c.rng.gauss()));
          state.put("rng", rng);
        } else {
          state.put("rng", null);
        }
      }
      Map<String, Object> w = new LinkedHashMap<>();
      List<Map<String, Object>> blocks = new ArrayList<>();
      int k = c.ht.cols();
      if (wBlocks != null) {
        w.put("layout", "partitions");
        for (FitCheckpoint.WBlock b : writeBlocks(wBlocks, tmp, k)) {
          blocks.add(blockEntry(b));
        }
      } else if (wDriver != null) {
        w.put("layout", "driver");
        Map<String, Object> f = writeMatrix(tmp, "w/driver.bin", wDriver);
        blocks.add(blockEntry(new FitCheckpoint.WBlock(0, "w/driver.bin", wDriver.rows(), (Long) f.get("bytes"),
            (Long) f.get("crc32"))));
      } else {
        w.put("layout", "none");
      }
      w.put("cols", k);
      w.put("blocks", blocks);

      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("format", FORMAT);
      manifest.put("version", VERSION);
      manifest.put("algorithm", c.algorithm);
      manifest.put("progress", c.progress);
      manifest.put("finished", c.finished);
      manifest.put("n_iter", c.nIter);
      manifest.put("written", java.time.Instant.now().toString());
      manifest.put("signature", c.signature);
      manifest.put("state", state);
      manifest.put("arrays", arrays);
      manifest.put("w", w);
      try (OutputStream out = raw(fs).create(new Path(tmp, MANIFEST), false)) {
        out.write(JSON.writeValueAsBytes(manifest));
      }
      Path target = new Path(dir, name);
      if (fs.exists(target)) {
        fs.delete(target, true); // the same point saved before: the new copy replaces it
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
      done = true;
      for (Path old : complete()) {
        if (!old.getName().equals(name)) {
          fs.delete(old, true);
        }
      }
    } finally {
      if (!done) {
        try {
          fs.delete(tmp, true);
        } catch (IOException e) {
          // the folder is hidden and named as temporary: the next fit removes it
        }
      }
    }
  }

  private static Map<String, Object> blockEntry(FitCheckpoint.WBlock b) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("partition", b.partition);
    e.put("file", b.file);
    e.put("rows", b.rows);
    e.put("bytes", b.bytes);
    e.put("crc32", b.crc32);
    return e;
  }

  private static DenseMatrix columnOf(List<Double> values) {
    DenseMatrix m = new DenseMatrix(values.size(), 1);
    for (int i = 0; i < values.size(); i++) {
      m.set(i, 0, values.get(i));
    }
    return m;
  }

  private List<FitCheckpoint.WBlock> writeBlocks(JavaRDD<DenseMatrix> w, Path tmp, int k) {
    String base = tmp.toString();
    SerializableConfiguration hadoop = conf;
    List<FitCheckpoint.WBlock> written = SparkErrors.rethrowingBadInput(() -> w.mapPartitionsWithIndex((p, it) -> {
      if (!it.hasNext()) {
        return Collections.<FitCheckpoint.WBlock>emptyIterator();
      }
      DenseMatrix wb = it.next();
      if (wb.cols() != k) {
        throw new IllegalStateException("W block of partition " + p + " has " + wb.cols() + " columns, not " + k);
      }
      String file = String.format("w/part-%05d.bin", p);
      Path target = new Path(base, file);
      FileSystem fs = fileSystem(target, hadoop.value());
      // A retried or speculative task writes its own file, then renames it into place.
      Path attempt = new Path(base, file + ".attempt-" + TaskContext.get().taskAttemptId());
      long[] sizeAndCrc = writeArray(fs, attempt, wb, null);
      if (!fs.rename(attempt, target)) {
        fs.delete(attempt, false);
        if (!fs.exists(target)) {
          throw new IOException("cannot rename " + attempt + " to " + target);
        }
      }
      return List.of(new FitCheckpoint.WBlock(p, file, wb.rows(), sizeAndCrc[0], sizeAndCrc[1])).iterator();
    }, true).collect());
    List<FitCheckpoint.WBlock> out = new ArrayList<>(written);
    out.sort(Comparator.comparingInt(b -> b.partition));
    return out;
  }

  private Map<String, Object> writeMatrix(Path folder, String file, DenseMatrix m) throws IOException {
    long[] sc = writeArray(raw(fs), new Path(folder, file), m, null);
    return arrayEntry(file, m.rows(), m.cols(), sc);
  }

  private Map<String, Object> writeInts(Path folder, String file, int[] values) throws IOException {
    long[] sc = writeArray(raw(fs), new Path(folder, file), null, values);
    return arrayEntry(file, values.length, 1, sc);
  }

  private static Map<String, Object> arrayEntry(String file, int rows, int cols, long[] sizeAndCrc) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("file", file);
    e.put("rows", rows);
    e.put("cols", cols);
    e.put("bytes", sizeAndCrc[0]);
    e.put("crc32", sizeAndCrc[1]);
    return e;
  }

  /** Writes a float64 matrix or an int32 column; returns {length, CRC-32}. */
  private static long[] writeArray(FileSystem fs, Path path, DenseMatrix m, int[] ints) throws IOException {
    int type = m != null ? FLOAT64 : INT32;
    int rows = m != null ? m.rows() : ints.length;
    int cols = m != null ? m.cols() : 1;
    CRC32 crc = new CRC32();
    long bytes = 0;
    try (OutputStream out = new BufferedOutputStream(raw(fs).create(path, false), 1 << 16)) {
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      h.put(MAGIC).putInt(VERSION).putInt(type).putInt(rows).putInt(cols);
      out.write(h.array());
      crc.update(h.array());
      bytes += HEADER;
      ByteBuffer b = ByteBuffer.allocate(1 << 16);
      int width = type == FLOAT64 ? 8 : 4;
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          if (b.remaining() < width) {
            bytes += flush(out, b, crc);
          }
          if (type == FLOAT64) {
            b.putDouble(m.get(r, c));
          } else {
            b.putInt(ints[r]);
          }
        }
      }
      bytes += flush(out, b, crc);
    }
    return new long[] {bytes, crc.getValue()};
  }

  private static int flush(OutputStream out, ByteBuffer b, CRC32 crc) throws IOException {
    int n = b.position();
    out.write(b.array(), 0, n);
    crc.update(b.array(), 0, n);
    b.clear();
    return n;
  }

  /** On the local file system, the raw one: no hidden .crc files (the manifest has its own CRC-32s). */
  private static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  private static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    return raw(path.getFileSystem(conf));
  }
}
