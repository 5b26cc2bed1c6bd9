package org.sparknmf.job;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.sparknmf.engine.SparkErrors;

/**
 * The non-blank lines of text files as rows, in input order (files in the given order, lines in
 * file order), each knowing its 0-based row id and its file and line number, so that bad input is
 * reported as "FILE line L". Two passes: one counts lines per partition (and measures the row
 * width), the second maps each line with its location. Nothing is held on the driver but O(partitions).
 */
final class LocatedLines implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Turns one line (with its row id and location) into a row of output. */
  interface RowMapper<T> extends Serializable {
    T map(long rowId, String line, String where);
  }

  /** What the first pass found in one partition (a class: Spark's Kryo cannot build records). */
  static final class Scan implements Serializable {
    private static final long serialVersionUID = 1L;
    final String file;
    final long lines;
    final long rows;
    final int firstWidth;
    final int maxWidth;
    final long firstRowLine;

    Scan(String file, long lines, long rows, int firstWidth, int maxWidth, long firstRowLine) {
      this.file = file;
      this.lines = lines;
      this.rows = rows;
      this.firstWidth = firstWidth;
      this.maxWidth = maxWidth;
      this.firstRowLine = firstRowLine;
    }
  }

  private final JavaHadoopRDD<LongWritable, Text> raw;
  private final boolean header;
  private final List<Scan> scans;
  private final long[] rowOffsets;
  private final long[] lineOffsets;

  /**
   * Scans {@code files}; {@code widthOf} gives the width of a line (-1 to skip measuring), and
   * {@code header} skips the first line of every file.
   */
  @SuppressWarnings("unchecked")
  LocatedLines(JavaSparkContext jsc, List<Path> files, boolean header, LineWidth widthOf) {
    String joined = String.join(",", files.stream().map(Path::toString).map(LocatedLines::escape).toList());
    this.raw = (JavaHadoopRDD<LongWritable, Text>) jsc.hadoopFile(joined, TextInputFormat.class,
        LongWritable.class, Text.class);
    this.header = header;
    this.scans = SparkErrors.rethrowingBadInput(() ->
        raw.mapPartitionsWithInputSplit((Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>,
            Iterator<Scan>>) (split, it) -> List.of(scan((FileSplit) split, it, header, widthOf)).iterator(),
            true).collect());
    int p = scans.size();
    this.rowOffsets = new long[p];
    this.lineOffsets = new long[p];
    long rows = 0;
    for (int i = 0; i < p; i++) {
      rowOffsets[i] = rows;
      rows += scans.get(i).rows;
      // Partitions of one file are consecutive: lines before this split of the same file.
      lineOffsets[i] = i > 0 && scans.get(i - 1).file.equals(scans.get(i).file)
          ? lineOffsets[i - 1] + scans.get(i - 1).lines : 0;
    }
  }

  /** How wide a line is (its values, or its largest index + 1). */
  interface LineWidth extends Serializable {
    int of(String line, String where);
  }

  private static Scan scan(FileSplit split, Iterator<scala.Tuple2<LongWritable, Text>> it, boolean header,
      LineWidth widthOf) {
    String file = split.getPath().toString();
    long lines = 0;
    long rows = 0;
    int first = -1;
    int max = 0;
    long firstRowLine = -1;
    while (it.hasNext()) {
      String line = it.next()._2().toString();
      lines++;
      if (line.isBlank() || (header && split.getStart() == 0 && lines == 1)) {
        continue;
      }
      rows++;
      if (widthOf != null) {
        // A bad line is reported by the second pass, which knows its line number in the file.
        int w;
        try {
          w = widthOf.of(line, file);
        } catch (IllegalArgumentException e) {
          w = 0;
        }
        if (first < 0) {
          first = w;
          firstRowLine = lines;
        }
        max = Math.max(max, w);
      }
    }
    return new Scan(file, lines, rows, first, max, firstRowLine);
  }

  private static String locate(String file, long line) {
    return line > 0 ? file + " line " + line : file;
  }

  /** Total rows (non-blank, non-header lines). */
  long rows() {
    return scans.isEmpty() ? 0 : rowOffsets[scans.size() - 1] + scans.get(scans.size() - 1).rows;
  }

  /** The width of the first row, or -1 if there is no row. */
  int firstWidth() {
    return scans.stream().filter(s -> s.rows > 0).findFirst().map(s -> s.firstWidth).orElse(-1);
  }

  /** The largest width of any row. */
  int maxWidth() {
    return scans.stream().mapToInt(s -> s.maxWidth).max().orElse(0);
  }

  /** Maps every row, with its row id and location, keeping the input's partitions and order. */
  <T> JavaRDD<T> map(RowMapper<T> mapper) {
    long[] rowOff = rowOffsets;
    long[] lineOff = lineOffsets;
    boolean skipHeader = header;
    return raw.mapPartitionsWithInputSplit((Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>,
        Iterator<T>>) (split, it) -> {
          int p = TaskContext.getPartitionId();
          FileSplit fs = (FileSplit) split;
          return new Rows<>(it, fs.getPath().toString(), skipHeader && fs.getStart() == 0, lineOff[p],
              rowOff[p], mapper);
        }, true);
  }

  /** The rows of one split, mapped lazily. */
  private static final class Rows<T> implements Iterator<T> {
    private final Iterator<scala.Tuple2<LongWritable, Text>> lines;
    private final String file;
    private final RowMapper<T> mapper;
    private boolean skipFirst;
    private long line;
    private long row;
    private String next;

    Rows(Iterator<scala.Tuple2<LongWritable, Text>> lines, String file, boolean skipFirst, long line, long row,
        RowMapper<T> mapper) {
      this.lines = lines;
      this.file = file;
      this.skipFirst = skipFirst;
      this.line = line;
      this.row = row;
      this.mapper = mapper;
    }

    @Override
    public boolean hasNext() {
      while (next == null && lines.hasNext()) {
        String text = lines.next()._2().toString();
        line++;
        if (skipFirst) {
          skipFirst = false;
        } else if (!text.isBlank()) {
          next = text;
        }
      }
      return next != null;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      String text = next;
      next = null;
      return mapper.map(row++, text, locate(file, line));
    }
  }

  /** Hadoop reads a comma as a separator of paths and braces as globs: escape them. */
  private static String escape(String path) {
    return org.apache.hadoop.util.StringUtils.escapeString(path);
  }
}
