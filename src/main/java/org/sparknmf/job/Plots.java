package org.sparknmf.job;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Matrix;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The job's pictures: the cost along the fit (XChart), and the components as images. */
final class Plots {

  private static final int CELL = 96;
  private static final int GAP = 8;

  private Plots() {}

  /** convergence.png: the objective history against its step (or check). */
  static void convergence(OutputFolder out, double[] history, String what, String title) throws IOException {
    if (history.length == 0) {
      return;
    }
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
        .xAxisTitle(what).yAxisTitle("objective").build();
    chart.getStyler().setLegendVisible(false);
    // A log scale only across two decades or more: XChart labels a log axis at powers of ten only.
    double min = Arrays.stream(history).min().orElse(0);
    double max = Arrays.stream(history).max().orElse(0);
    chart.getStyler().setYAxisLogarithmic(min > 0 && max / min >= 100);
    double[] x = IntStream.rangeClosed(1, history.length).asDoubleStream().toArray();
    XYSeries s = chart.addSeries("objective", x, history);
    s.setMarker(SeriesMarkers.NONE);
    try (OutputStream o = out.create("convergence.png")) {
      BitmapEncoder.saveBitmap(chart, o, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  /**
   * components.png: each component (a row of H) drawn as a {@code height × width} grayscale image,
   * black for its largest entry, in a grid of up to 8 a row.
   */
  static void components(OutputFolder out, Matrix h, int height, int width) throws IOException {
    int k = h.numRows();
    int perRow = Math.min(8, k);
    int gridRows = (k + perRow - 1) / perRow;
    double scale = Math.max(1, Math.floor((double) CELL / Math.max(height, width)));
    int cw = (int) (width * scale);
    int ch = (int) (height * scale);
    BufferedImage img = new BufferedImage(perRow * (cw + GAP) + GAP, gridRows * (ch + GAP) + GAP,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    for (int t = 0; t < k; t++) {
      double max = 0;
      for (int j = 0; j < h.numCols(); j++) {
        max = Math.max(max, h.apply(t, j));
      }
      int x0 = GAP + (t % perRow) * (cw + GAP);
      int y0 = GAP + (t / perRow) * (ch + GAP);
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          double v = max > 0 ? h.apply(t, r * width + c) / max : 0;
          int level = 255 - (int) Math.round(255 * v);
          g.setColor(new Color(level, level, level));
          g.fillRect(x0 + (int) (c * scale), y0 + (int) (r * scale), (int) scale, (int) scale);
        }
      }
    }
    g.dispose();
    try (OutputStream o = out.create("components.png")) {
      ImageIO.write(img, "png", o);
    }
  }
}
