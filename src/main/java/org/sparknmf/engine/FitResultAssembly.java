package org.sparknmf.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.sparknmf.linalg.DenseMatrix;
import scala.Tuple2;

/** W blocks (aligned with X's blocks) turned into rows with their ids, or one matrix on the driver. */
final class FitResultAssembly {

  private FitResultAssembly() {}

  static JavaRDD<Tuple2<Long, double[]>> rowsWithIds(JavaRDD<RowBlock> rows, JavaRDD<DenseMatrix> w) {
    return rows.zipPartitions(w, (bs, ws) -> {
      List<Tuple2<Long, double[]>> out = new ArrayList<>();
      while (bs.hasNext()) {
        RowBlock b = bs.next();
        DenseMatrix wb = ws.next();
        for (int i = 0; i < b.rows(); i++) {
          out.add(new Tuple2<>(b.rowId(i), wb.rowRange(i, i + 1).copy().data()));
        }
      }
      return out.iterator();
    });
  }

  /** All rows on the driver in row-id order; checks that every block of X has its W block of k columns. */
  static DenseMatrix inRowOrder(JavaRDD<RowBlock> rows, JavaRDD<DenseMatrix> w, int k) {
    List<Tuple2<Long, double[]>> all = new ArrayList<>(rowsWithIds(rows, w).collect());
    all.sort(Comparator.comparingLong(Tuple2::_1));
    DenseMatrix out = new DenseMatrix(all.size(), k);
    for (int i = 0; i < all.size(); i++) {
      double[] r = all.get(i)._2();
      if (r.length != k) {
        throw new IllegalArgumentException("W row " + all.get(i)._1() + " has " + r.length
            + " values, expected " + k);
      }
      System.arraycopy(r, 0, out.data(), i * k, k);
    }
    return out;
  }
}
