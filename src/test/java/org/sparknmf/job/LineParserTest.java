package org.sparknmf.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineParserTest {

  private static final String WHERE = "x.csv line 7";

  @Test
  void csvAndTsvRowsParseToTheirNumbers() {
    assertArrayEquals(new double[] {1, 2.5, 0, 1e-3, 3e10}, LineParser.of("csv")
        .parse("1, 2.5,0,1e-3,3E+10", 5, WHERE).toArray());
    assertArrayEquals(new double[] {4, 0.5}, LineParser.of("tsv").parse("4\t.5", 2, WHERE).toArray());
    assertEquals(3, LineParser.of("csv").width("1,2,3", WHERE));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1,-2,3|x.csv line 7, column 2: negative value -2",
      "1,nan,3|x.csv line 7, column 2: 'nan' is not a finite number",
      "1,2,inf|x.csv line 7, column 3: 'inf' is not a finite number",
      "Infinity,2,3|x.csv line 7, column 1: 'Infinity' is not a finite number",
      "1,abc,3|x.csv line 7, column 2: 'abc' is not a number",
      "1,1d,3|x.csv line 7, column 2: '1d' is not a number",
      "0x1p3,1,3|x.csv line 7, column 1: '0x1p3' is not a number",
      "1,,3|x.csv line 7, column 2: '' is empty"})
  void badCellsAreNamedByLineAndColumn(String line, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LineParser.of("csv").parse(line, 3, WHERE));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void raggedRowsAndHeadersSayWhatIsWrong() {
    IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
        () -> LineParser.of("csv").parse("1,2", 3, WHERE));
    assertEquals("x.csv line 7 has 2 values, but the first row has 3: every row must have the same number "
        + "of columns", ragged.getMessage());
    IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
        () -> LineParser.of("csv").parse("a,b", 2, "x.csv line 1"));
    assertTrue(header.getMessage().endsWith("(a header line? pass --header)"), header.getMessage());
  }

  @Test
  void libsvmRowsAreSparseWithOneBasedIndices() {
    Vector v = LineParser.of("libsvm").parse("1 qid:3 1:0.5 4:2 # comment 9:9", 5, WHERE);
    SparseVector s = (SparseVector) v;
    assertEquals(5, s.size());
    assertArrayEquals(new int[] {0, 3}, s.indices());
    assertArrayEquals(new double[] {0.5, 2}, s.values());
    assertEquals(4, LineParser.of("libsvm").width("0 1:0.5 4:2", WHERE));
    assertEquals(0, LineParser.of("libsvm").parse("0", 3, WHERE).numActives());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0 0:1|entry 1: index 0 (libsvm indices start at 1)",
      "0 -2:1|entry 1: index -2 (libsvm indices start at 1)",
      "0 3:1 2:1|entry 2: index 2 after 3 (indices must increase)",
      "0 2:1 2:5|entry 2: index 2 repeated (indices must increase)",
      "0 2:1 9:1|index 9 is beyond the 5 features (--n-features)",
      "0 a:1|entry 1: index 'a' is not an integer",
      "0 2|entry 1: '2' is not index:value",
      "0 2:-1|column 2: negative value -1",
      "0 2:nan|column 2: 'nan' is not a finite number"})
  void badLibsvmEntriesAreNamed(String line, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LineParser.of("libsvm").parse(line, 5, WHERE));
    assertTrue(e.getMessage().startsWith(WHERE) && e.getMessage().contains(message), e.getMessage());
  }
}
