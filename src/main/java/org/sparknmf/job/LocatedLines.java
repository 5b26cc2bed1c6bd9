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

  /**
   * What the first pass found in one partition (a class: Spark's Kryo cannot build records). Line
   * numbers are 1-based within the partition's split; a bad line is kept as a value, not thrown,
   * so that Spark does not log a failed task for what is the user's input error.
   */
  static final class Scan implements Serializable {
    private static final long serialVersionUID = 1L;
    final String file;
    final long lines;
    final long rows;
    final int firstWidth;
    final long firstRowLine;
    final long otherWidthLine;
    final int otherWidth;
    final int maxWidth;
    final long maxWidthLine;
    /** The bad line when the error's message lacks its location (0 when the message has it). */
    final long errorLine;
    final String error;

    Scan(String file, long lines, long rows, int firstWidth, long firstRowLine, long otherWidthLine,
        int otherWidth, int maxWidth, long maxWidthLine, long errorLine, String error) {
      this.file = file;
      this.lines = lines;
      this.rows = rows;
      this.firstWidth = firstWidth;
      this.firstRowLine = firstRowLine;
      this.otherWidthLine = otherWidthLine;
      this.otherWidth = otherWidth;
      this.maxWidth = maxWidth;
      this.maxWidthLine = maxWidthLine;
      this.errorLine = errorLine;
      this.error = error;
    }
  }

  private final JavaHadoopRDD<LongWritable, Text> raw;
  private final boolean header;
  private final RowTest isRow;
  private final List<Scan> scans;
  private final long[] rowOffsets;
  private final long[] lineOffsets;

  /**
   * Scans {@code files}; {@code widthOf} gives the width of a line (-1 to skip measuring), and
   * {@code header} skips the first line of every file.
   */
  @SuppressWarnings("unchecked")
  LocatedLines(JavaSparkContext jsc, List<Path> files, boolean header, LineWidth widthOf, RowTest isRow) {
    String joined = String.join(",", files.stream().map(Path::toString).map(LocatedLines::escape).toList());
    this.raw = (JavaHadoopRDD<LongWritable, Text>) jsc.hadoopFile(joined, TextInputFormat.class,
        LongWritable.class, Text.class);
    this.header = header;
    this.isRow = isRow;
    this.scans = SparkErrors.rethrowingBadInput(() ->
        raw.mapPartitionsWithInputSplit((Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>,
            Iterator<Scan>>) (split, it) -> List.of(scan((FileSplit) split, it, header, widthOf, isRow)).iterator(),
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

  /** Whether a line is a row (not blank, not a comment). */
  interface RowTest extends Serializable {
    boolean test(String line);
  }

  /** How wide a line is (its values, or its largest index + 1). */
  interface LineWidth extends Serializable {
    int of(String line, String where);
  }

  private static Scan scan(FileSplit split, Iterator<scala.Tuple2<LongWritable, Text>> it, boolean header,
      LineWidth widthOf, RowTest isRow) {
    String file = split.getPath().toString();
    boolean atStart = split.getStart() == 0;
    long lines = 0;
    long rows = 0;
    int first = -1;
    long firstLine = -1;
    long otherLine = -1;
    int other = -1;
    int max = 0;
    long maxLine = -1;
    while (true) {
      String line;
      try {
        if (!it.hasNext()) {
          break;
        }
        line = it.next()._2().toString();
      } catch (Exception e) { // an unreadable or corrupt file (e.g. a damaged .gz)
        return new Scan(file, lines, rows, first, firstLine, otherLine, other, max, maxLine, 0,
            file + ": cannot read it (" + InputReader.firstLine(e) + ")");
      }
      lines++;
      if (!isRow.test(line) || (header && atStart && lines == 1)) {
        continue;
      }
      rows++;
      if (widthOf == null) {
        continue;
      }
      int w;
      try {
        // In a file's first split the line number is known; in others the driver adds the offset.
        w = widthOf.of(line, atStart ? locate(file, lines) : "");
      } catch (IllegalArgumentException e) {
        // Without a known line number the message starts with what follows the location.
        return new Scan(file, lines, rows, first, firstLine, otherLine, other, max, maxLine, atStart ? 0 : lines,
            e.getMessage());
      }
      if (first < 0) {
        first = w;
        firstLine = lines;
      } else if (w != first && otherLine < 0) {
        otherLine = lines;
        other = w;
      }
      if (w > max) {
        max = w;
        maxLine = lines;
      }
    }
    return new Scan(file, lines, rows, first, firstLine, otherLine, other, max, maxLine, -1, null);
  }

  /**
   * Refuses the input at its first bad line: a value the parser refused, or (when {@code equalWidths})
   * a row whose width differs from the first row's, or a width beyond {@code maxWidth}.
   */
  void requireValid(boolean equalWidths, int maxWidth, String widthName) {
    int expected = firstWidth();
    String firstAt = null;
    for (int p = 0; p < scans.size(); p++) {
      Scan s = scans.get(p);
      if (firstAt == null && s.rows > 0) {
        firstAt = at(p, s.firstRowLine);
      }
      if (s.error != null) {
        throw new IllegalArgumentException(s.errorLine > 0 ? at(p, s.errorLine) + s.error : s.error);
      }
      if (equalWidths && s.rows > 0 && s.firstWidth != expected) {
        throw widthError(at(p, s.firstRowLine), s.firstWidth, expected, firstAt);
      }
      if (equalWidths && s.otherWidthLine > 0) {
        throw widthError(at(p, s.otherWidthLine), s.otherWidth, expected, firstAt);
      }
      if (s.maxWidth > maxWidth) {
        throw new IllegalArgumentException(at(p, s.maxWidthLine) + ": index " + s.maxWidth + " is beyond the "
            + maxWidth + " " + widthName);
      }
    }
  }

  private static IllegalArgumentException widthError(String where, int width, int expected, String firstAt) {
    return new IllegalArgumentException(where + " has " + width + " values, but the first row (" + firstAt
        + ") has " + expected + ": every row must have the same number of columns");
  }

  /** "FILE line L" for a line of partition p's split. */
  private String at(int p, long localLine) {
    return locate(scans.get(p).file, lineOffsets[p] + localLine);
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
    RowTest rowTest = isRow;
    return raw.mapPartitionsWithInputSplit((Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>,
        Iterator<T>>) (split, it) -> {
          int p = TaskContext.getPartitionId();
          FileSplit fs = (FileSplit) split;
          return new Rows<>(it, fs.getPath().toString(), skipHeader && fs.getStart() == 0, lineOff[p],
              rowOff[p], mapper, rowTest);
        }, true);
  }

  /** The rows of one split, mapped lazily. */
  private static final class Rows<T> implements Iterator<T> {
    private final Iterator<scala.Tuple2<LongWritable, Text>> lines;
    private final String file;
    private final RowMapper<T> mapper;
    private final RowTest isRow;
    private boolean skipFirst;
    private long line;
    private long row;
    private String next;

    Rows(Iterator<scala.Tuple2<LongWritable, Text>> lines, String file, boolean skipFirst, long line, long row,
        RowMapper<T> mapper, RowTest isRow) {
      this.isRow = isRow;
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
        } else if (isRow.test(text)) {
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
