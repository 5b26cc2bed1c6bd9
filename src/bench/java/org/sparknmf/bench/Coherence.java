package org.sparknmf.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.sparknmf.linalg.CsrMatrix;

/**
 * UMass topic coherence (Mimno et al. 2011) of the top terms of each topic, from document
 * co-occurrence in a document-term count matrix: for terms ordered by weight,
 * Σ_{m&gt;l} log((D(w_m, w_l) + 1) / D(w_l)), averaged over topics. Computed the same way for every
 * model so that their topics compare.
 */
final class Coherence {

  private Coherence() {}

  /** @param topics {@code k × n_terms} term weights (H, or LDA's topic-term matrix transposed) */
  static double umass(double[][] topics, CsrMatrix counts, int top) {
    int[][] best = new int[topics.length][];
    BitSet wanted = new BitSet(counts.cols());
    for (int t = 0; t < topics.length; t++) {
      double[] weights = topics[t];
      best[t] = IntStream.range(0, weights.length).boxed()
          .sorted(Comparator.comparingDouble((Integer j) -> -weights[j])).limit(top)
          .mapToInt(Integer::intValue).toArray();
      Arrays.stream(best[t]).forEach(wanted::set);
    }
    BitSet[] docs = new BitSet[counts.cols()];
    wanted.stream().forEach(j -> docs[j] = new BitSet(counts.rows()));
    int[] idx = counts.indices();
    double[] val = counts.values();
    for (int i = 0; i < counts.rows(); i++) {
      for (int p = counts.rowBegin(i); p < counts.rowEnd(i); p++) {
        if (val[p] > 0 && docs[idx[p]] != null) {
          docs[idx[p]].set(i);
        }
      }
    }
    double sum = 0;
    for (int[] terms : best) {
      double c = 0;
      for (int m = 1; m < terms.length; m++) {
        for (int l = 0; l < m; l++) {
          BitSet both = (BitSet) docs[terms[m]].clone();
          both.and(docs[terms[l]]);
          // Top terms of a topic occur in some document; max(1, ·) guards a term no document has.
          c += Math.log((both.cardinality() + 1.0) / Math.max(1, docs[terms[l]].cardinality()));
        }
      }
      sum += c;
    }
    return sum / best.length;
  }
}
