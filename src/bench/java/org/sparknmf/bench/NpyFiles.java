package org.sparknmf.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;

/**
 * Reads the benchmark's data as NumPy wrote it, so that scikit-learn and this project fit the very
 * same numbers: {@code .npy} (a dense C-order float64 array) and {@code .npz} from
 * {@code scipy.sparse.save_npz} (CSR: data, indices, indptr, shape).
 */
final class NpyFiles {

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private NpyFiles() {}

  static DataMatrix read(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".npy")) {
      try (InputStream in = Files.newInputStream(file)) {
        Array a = array(in, name);
        if (a.shape.length != 2) {
          throw new IOException(name + ": a 2-d array expected, shape has " + a.shape.length + " axes");
        }
        return new DenseMatrix((int) a.shape[0], (int) a.shape[1], a.doubles());
      }
    }
    if (name.endsWith(".npz")) {
      return readCsr(file);
    }
    throw new IOException(name + ": .npy or .npz expected");
  }

  private static CsrMatrix readCsr(Path file) throws IOException {
    Map<String, Array> arrays = new HashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (String key : new String[] {"data", "indices", "indptr", "shape", "format"}) {
        ZipEntry e = zip.getEntry(key + ".npy");
        if (e == null) {
          throw new IOException(file + ": no " + key + ".npy; not a scipy.sparse.save_npz file");
        }
        try (InputStream in = zip.getInputStream(e)) {
          arrays.put(key, array(in, key));
        }
      }
    }
    // scipy stores the format as a NumPy unicode scalar (UTF-32): drop the zero bytes.
    String format = new String(arrays.get("format").bytes, StandardCharsets.ISO_8859_1).replace("\0", "").trim();
    if (!format.startsWith("csr")) {
      throw new IOException(file + ": format " + format + ", csr expected");
    }
    long[] shape = arrays.get("shape").longs();
    return new CsrMatrix((int) shape[0], (int) shape[1], arrays.get("indptr").ints(),
        arrays.get("indices").ints(), arrays.get("data").doubles());
  }

  /** One array: its dtype, shape and raw little-endian bytes. */
  private record Array(String descr, long[] shape, byte[] bytes) {

    double[] doubles() throws IOException {
      require("<f8");
      double[] d = new double[bytes.length / 8];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
      return d;
    }

    int[] ints() throws IOException {
      if (descr.equals("<i8")) {
        long[] l = longs();
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) {
          r[i] = Math.toIntExact(l[i]);
        }
        return r;
      }
      require("<i4");
      int[] r = new int[bytes.length / 4];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(r);
      return r;
    }

    long[] longs() throws IOException {
      if (descr.equals("<i4")) {
        int[] i = ints();
        long[] r = new long[i.length];
        for (int t = 0; t < i.length; t++) {
          r[t] = i[t];
        }
        return r;
      }
      require("<i8");
      long[] r = new long[bytes.length / 8];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(r);
      return r;
    }

    private void require(String expected) throws IOException {
      if (!descr.equals(expected)) {
        throw new IOException("dtype " + descr + ", " + expected + " expected");
      }
    }
  }

  /** The .npy format: magic, version, header length, a Python dict literal, then the data. */
  private static Array array(InputStream raw, String what) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    byte[] magic = new byte[6];
    in.readFully(magic);
    if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IOException(what + ": not a .npy array");
    }
    int major = in.readUnsignedByte();
    in.readUnsignedByte();
    int headerLength = major == 1
        ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
        : Integer.reverseBytes(in.readInt());
    byte[] header = new byte[headerLength];
    in.readFully(header);
    String dict = new String(header, StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(dict);
    Matcher order = ORDER.matcher(dict);
    Matcher shape = SHAPE.matcher(dict);
    if (!descr.find() || !order.find() || !shape.find()) {
      throw new IOException(what + ": unreadable .npy header " + dict.trim());
    }
    if (order.group(1).equals("True")) {
      throw new IOException(what + ": Fortran order; save a C-order array");
    }
    String[] dims = shape.group(1).split(",");
    long[] s = java.util.Arrays.stream(dims).map(String::trim).filter(d -> !d.isEmpty())
        .mapToLong(Long::parseLong).toArray();
    byte[] bytes = in.readAllBytes();
    String d = descr.group(1).replace('|', '<');
    return new Array(d, s, bytes);
  }
}
