package org.sparknmf.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparknmf.local.MiniBatchNMF;
import org.sparknmf.testing.LocalSpark;

/** A first round trip through the stage: fit, transform, save, load, transform again. */
class NMFStageSmokeTest {

  static Dataset<Row> frame(double[][] x) {
    List<Row> rows = new ArrayList<>();
    for (double[] r : x) {
      rows.add(RowFactory.create(Vectors.dense(r)));
    }
    return LocalSpark.session().createDataFrame(rows, new StructType().add("features", new VectorUDT()));
  }

  @Test
  void fitTransformSaveLoad(@TempDir Path dir) throws Exception {
    double[][] x = {{1, 1}, {2, 1}, {3, 1.2}, {4, 1}, {5, 0.8}, {6, 1}};
    org.sparknmf.ml.MiniBatchNMF est = new org.sparknmf.ml.MiniBatchNMF().setK(2).setInit("random").setSeed(0)
        .setBatchSize(3);
    NMFModel model = est.fit(frame(x));
    MiniBatchNMF local = new MiniBatchNMF(2).setInit("random").setRandomState(0).setBatchSize(3);
    local.fit(x);
    assertArrayEquals(local.components()[0], rowOf(model, 0), 1e-12);
    List<Row> out = model.transform(frame(x).coalesce(1)).collectAsList(); // one block: scikit-learn's numbers
    double[][] w = local.transform(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(w[i], ((Vector) out.get(i).getAs("nmfFeatures")).toArray(), 1e-12);
    }
    model.write().save(dir.resolve("m").toString());
    NMFModel back = NMFModel.load(dir.resolve("m").toString());
    assertEquals(model.uid(), back.uid());
    assertEquals(3, (int) back.getBatchSize());
    assertArrayEquals(model.components().toArray(), back.components().toArray());
    assertTrue(back.explainParams().contains("batchSize"));
    back.partialFit(frame(x));
    assertEquals(model.nSteps() + 1, back.nSteps());
  }

  private static double[] rowOf(NMFModel m, int t) {
    double[] r = new double[m.numFeatures()];
    for (int j = 0; j < r.length; j++) {
      r[j] = m.components().apply(t, j);
    }
    return r;
  }
}
