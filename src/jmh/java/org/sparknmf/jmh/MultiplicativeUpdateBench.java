package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.sparknmf.linalg.CsrMatrix;
import org.sparknmf.linalg.DataMatrix;
import org.sparknmf.linalg.DenseMatrix;
import org.sparknmf.solver.BetaLoss;
import org.sparknmf.solver.FactorStatistics;
import org.sparknmf.solver.MultiplicativeUpdate;
import org.sparknmf.solver.Side;

/**
 * One multiplicative update of one factor as the full-batch solver does it: the statistics from X,
 * W and Hᵀ ({@link FactorStatistics#accumulate}, into a reused workspace), then the update
 * ({@link MultiplicativeUpdate#update}) and, for beta ≤ 1, the clamp of tiny entries. The other
 * factor stays fixed, so repeated invocations are MU iterations of one side. X is {@code m × n},
 * dense (uniform) or CSR with the given density; no penalties.
 *
 * <p>Flops, with z the entries of X visited (m·n dense, the non-zeros for CSR), f and g the rows
 * of the updated and of the fixed factor:
 * <ul>
 *   <li>beta 2: {@code 2zk} (X·Hᵀ or Xᵀ·W) + {@code 2gk²} (Gram) + {@code 2fk²} (F·Gram) + {@code 2fk};
 *   <li>beta 1, dense: {@code gk} (column sums) + {@code 2mnk} (WH) + {@code 2mn} (X/WH) +
 *       {@code 2mnk} + {@code 2fk}; CSR: {@code gk + z(2k+1)} (WH at the non-zeros only) +
 *       {@code 2zk + 2fk};
 *   <li>beta 0: {@code 2mnk} (WH, dense for CSR too) + {@code mn} (Q = WH^-1, one pow each) +
 *       {@code 2mnk} (Q·G) + {@code 3z + 2zk} (R = X/WH², R·G) + {@code 3fk} (the update's square
 *       root).
 * </ul>
 * Bytes: X, W and Hᵀ read, the updated factor written, the statistics workspaces written and read,
 * and WH / Q / R buffers written and read where the loss forms them.
 */
public class MultiplicativeUpdateBench extends KernelBenchmark {

  @Param({"2", "1", "0"})
  double beta;

  @Param({"W", "H"})
  Side side;

  @Param({"dense", "csr"})
  String format;

  @Param("2000")
  int m;

  @Param("2000")
  int n;

  @Param("10")
  int k;

  /** Density of the CSR X. */
  @Param("0.01")
  double density;

  DataMatrix x;
  DenseMatrix w;
  DenseMatrix ht;
  DenseMatrix f;
  FactorStatistics stats;
  double gamma;
  boolean clamp;
  long flops;
  long bytes;

  @Setup
  public void setUp() {
    BetaLoss loss = new BetaLoss(beta);
    x = "csr".equals(format) ? Data.sparse(m, n, density, 21) : Data.uniform(m, n, 1.0, 21);
    double mean = x.mean();
    w = Data.factor(m, k, mean, 22);
    ht = Data.factor(n, k, mean, 23);
    f = side.own(w, ht);
    stats = FactorStatistics.zeros(side, loss, side.rows(x), k);
    gamma = loss.gamma();
    clamp = side == Side.W ? beta < 1.0 : beta <= 1.0;
    count(x instanceof CsrMatrix csr ? csr : null);
  }

  private void count(CsrMatrix csr) {
    long mn = (long) m * n;
    long z = x.storedEntries();
    long fr = f.rows();
    long gr = side.other(w, ht).rows();
    long kk = k;
    long xBytes = csr != null ? Data.csrBytes(csr) : 8L * mn;
    long base = xBytes + 8L * (m + n) * kk + 8L * fr * kk // X, W, Hᵀ read; F written
        + 16L * fr * kk;                                  // numerator written and read
    if (beta == 2.0) {
      flops = 2 * z * kk + 2 * gr * kk * kk + 2 * fr * kk * kk + 2 * fr * kk;
      bytes = base + 16L * fr * kk; // F·Gram written and read
    } else if (beta == 1.0) {
      flops = csr != null
          ? gr * kk + z * (2 * kk + 1) + 2 * z * kk + 2 * fr * kk
          : gr * kk + 4 * mn * kk + 2 * mn + 2 * fr * kk;
      bytes = base + (csr != null ? 16L * z : 32L * mn); // WH, then R over it (dense); R (CSR)
    } else {
      flops = 4 * mn * kk + mn + 3 * z + 2 * z * kk + 3 * fr * kk;
      // WH and Q; R over WH (dense) or R in a buffer, reading WH at the non-zeros (CSR)
      bytes = base + 32L * fr * kk + 32L * mn + (csr != null ? 24L * z : 24L * mn);
    }
  }

  @Benchmark
  public DenseMatrix step(Work work) {
    FactorStatistics s = stats.reset().accumulate(x, w, ht);
    MultiplicativeUpdate.update(f, s, 0.0, 0.0, gamma);
    if (clamp) {
      MultiplicativeUpdate.clampTiny(f);
    }
    work.add(flops, bytes);
    return f;
  }
}
