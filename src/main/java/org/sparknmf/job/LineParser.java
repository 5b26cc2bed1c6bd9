package org.sparknmf.job;

import java.io.Serializable;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

/**
 * Parses one line of a numeric text format into a row of X. Every value must be a finite,
 * non-negative decimal number; errors say where ({@code where} names the file and line) and which
 * column, and show the value.
 */
abstract class LineParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Pattern NOT_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

  /**
   * The width this line gives: its number of values (CSV/TSV) or its largest index (libsvm).
   * Checks every value as {@link #parse} does.
   */
  abstract int width(String line, String where);

  /** The row, with {@code n} features. */
  abstract Vector parse(String line, int n, String where);

  /** Whether a line holds a row: not blank (libsvm: nor a comment). */
  boolean isRow(String line) {
    return !line.isBlank();
  }

  /** The parser of a numeric format: csv, tsv or libsvm. */
  static LineParser of(String format) {
    return switch (format) {
      case "csv" -> new Delimited(',');
      case "tsv" -> new Delimited('\t');
      case "libsvm" -> new LibSvm();
      default -> throw new IllegalArgumentException("no numeric parser for format " + format);
    };
  }

  /** A non-negative finite number, or an error naming where it is. */
  static double number(String cell, String where, int column) {
    String s = cell.trim();
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    // Java also reads "1d", "0x1p3" and "Infinity": accept plain decimals only.
    boolean decimal = !s.isEmpty() && (Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("."))
        && s.chars().noneMatch(c -> c == 'x' || c == 'X' || c == 'p' || c == 'P');
    if (!decimal || !Double.isFinite(v)) {
      String what = NOT_FINITE.matcher(s).matches() ? "is not a finite number"
          : s.isEmpty() ? "is empty" : "is not a number";
      String hint = where.endsWith(" line 1") && !s.isEmpty() && !NOT_FINITE.matcher(s).matches()
          ? " (a header line? pass --header)" : "";
      throw new IllegalArgumentException(where + ", column " + column + ": '" + cell + "' " + what + hint);
    }
    if (v < 0) {
      throw new IllegalArgumentException(where + ", column " + column + ": negative value " + s
          + " (NMF needs X >= 0)");
    }
    return v;
  }

  /** Values separated by one character (CSV, TSV). */
  static final class Delimited extends LineParser {
    private static final long serialVersionUID = 1L;
    private final char separator;

    Delimited(char separator) {
      this.separator = separator;
    }

    @Override
    int width(String line, String where) {
      String[] cells = cells(line);
      for (int j = 0; j < cells.length; j++) {
        number(cells[j], where, j + 1);
      }
      return cells.length;
    }

    @Override
    Vector parse(String line, int n, String where) {
      String[] cells = cells(line);
      if (cells.length != n) {
        throw new IllegalArgumentException(where + " has " + cells.length + " values, but the first row has "
            + n + ": every row must have the same number of columns");
      }
      double[] v = new double[n];
      for (int j = 0; j < n; j++) {
        v[j] = number(cells[j], where, j + 1);
      }
      return new DenseVector(v);
    }

    private String[] cells(String line) {
      return line.split(Pattern.quote(String.valueOf(separator)), -1);
    }
  }

  /**
   * libsvm / svmlight: {@code label index:value ...} with 1-based, strictly increasing indices; the
   * label (and a {@code qid:}) is read and ignored, as NMF is unsupervised.
   */
  static final class LibSvm extends LineParser {
    private static final long serialVersionUID = 1L;

    @Override
    boolean isRow(String line) {
      return !line.isBlank() && !line.stripLeading().startsWith("#"); // e.g. dump_svmlight_file's header
    }

    @Override
    int width(String line, String where) {
      Entries e = entries(line, where);
      return e.size == 0 ? 0 : e.indices[e.size - 1] + 1;
    }

    @Override
    Vector parse(String line, int n, String where) {
      Entries e = entries(line, where);
      if (e.size > 0 && e.indices[e.size - 1] >= n) {
        throw new IllegalArgumentException(where + ": index " + (e.indices[e.size - 1] + 1)
            + " is beyond the " + n + " features (--n-features)");
      }
      return new SparseVector(n, Arrays.copyOf(e.indices, e.size), Arrays.copyOf(e.values, e.size));
    }

    private record Entries(int[] indices, double[] values, int size) {}

    private static Entries entries(String line, String where) {
      String[] tokens = line.trim().split("\\s+");
      int[] idx = new int[tokens.length];
      double[] val = new double[tokens.length];
      int size = 0;
      for (int t = 1; t < tokens.length; t++) {
        String tok = tokens[t];
        if (tok.startsWith("#")) {
          break; // a comment runs to the end of the line
        }
        int colon = tok.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException(where + ", entry " + t + ": '" + tok + "' is not index:value");
        }
        String key = tok.substring(0, colon);
        if (key.equals("qid") && size == 0) {
          continue;
        }
        int index;
        try {
          index = Integer.parseInt(key);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ", entry " + t + ": index '" + key + "' is not an integer");
        }
        if (index <= 0) {
          throw new IllegalArgumentException(where + ", entry " + t + ": index " + index
              + " (libsvm indices start at 1)");
        }
        if (size > 0 && index - 1 <= idx[size - 1]) {
          throw new IllegalArgumentException(where + ", entry " + t + ": index " + index
              + (index - 1 == idx[size - 1] ? " repeated" : " after " + (idx[size - 1] + 1))
              + " (indices must increase)");
        }
        idx[size] = index - 1;
        val[size] = number(tok.substring(colon + 1), where, index);
        size++;
      }
      return new Entries(idx, val, size);
    }
  }
}
