package org.sparknmf.linalg;

import java.util.ArrayList;
import java.util.List;

/**
 * The QR factorisation of {@code Y = X·q} (X a block of rows, q small: {@code cols × l}) taken a
 * chunk of rows at a time, so that neither Y nor its Q is ever whole: each chunk's own QR, then the
 * QR of the chunks' stacked R factors (one level of TSQR, Demmel, Grigori, Hoemmen &amp; Langou 2012).
 * Q stays orthonormal to working precision however ill-conditioned Y is, which a Gram matrix
 * (Cholesky QR) does not give. The chunks' Householder reflectors are kept (Y's size,
 * {@code rows × l}: more than a sparse block of X whose rows have fewer than about {@code l}
 * stored entries), so that a visit forms each chunk's Q without computing X·q and its QR again;
 * Q's rows are made chunk by chunk when they are visited and never kept.
 */
public final class ChunkedQr {

  private final int chunkRows;
  /** Each chunk's factorisation, dgeqrf's output. */
  private final Qr.Reflectors[] chunks;
  /** QR of the chunks' stacked R factors. */
  private final Qr inner;
  /** Where each chunk's R starts in that stack. */
  private final int[] offsets;

  /** Factorises {@code X·q}: one pass over X's chunks of {@code chunkRows} rows. */
  public ChunkedQr(DataMatrix x, DenseMatrix q, int chunkRows) {
    this.chunkRows = Math.max(chunkRows, 2 * q.cols()); // a chunk's R is square, a stack of them tall
    List<DenseMatrix> rs = new ArrayList<>();
    chunks = new Qr.Reflectors[(x.rows() + this.chunkRows - 1) / this.chunkRows];
    offsets = new int[chunks.length + 1];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = Qr.Reflectors.of(chunk(x, q, c));
      DenseMatrix r = chunks[c].r();
      rs.add(r);
      offsets[c + 1] = offsets[c] + r.rows();
    }
    inner = Qr.of(RowStack.of(rs, q.cols()).toDense());
  }

  /** R of Y ({@code p × l}, p = min(rows, l)). */
  public DenseMatrix r() {
    return inner.r();
  }

  /**
   * Visits {@code Q·right} ({@code right} is {@code p × c}) a chunk at a time, in row order:
   * {@code visit(firstRow, rows)} gets the chunk's rows ({@code chunk rows × c}).
   */
  public void forEachChunk(DenseMatrix right, ChunkVisitor visit) {
    for (int c = 0; c + 1 < offsets.length; c++) {
      DenseMatrix map = new DenseMatrix(offsets[c + 1] - offsets[c], right.cols());
      inner.q().rowRange(offsets[c], offsets[c + 1]).timesAdd(right, map);
      DenseMatrix qc = chunks[c].q();
      DenseMatrix out = new DenseMatrix(qc.rows(), right.cols());
      qc.timesAdd(map, out);
      visit.accept(c * chunkRows, out);
    }
  }

  /** Receives one chunk of rows of a product with Q. */
  @FunctionalInterface
  public interface ChunkVisitor {
    void accept(int firstRow, DenseMatrix rows);
  }

  private DenseMatrix chunk(DataMatrix x, DenseMatrix q, int c) {
    DataMatrix rows = x.rowRange(c * chunkRows, Math.min(x.rows(), (c + 1) * chunkRows));
    DenseMatrix y = new DenseMatrix(rows.rows(), q.cols());
    rows.timesAdd(q, y);
    return y;
  }
}
