package dev.glad.model.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.statistics.HistogramDataset;

/** The distribution of gate values (paper Fig. 3a) as a PNG histogram. */
public final class GatePlot {
  private GatePlot() {}

  /**
   * @param gates {@code [historyLength, meanGate]} per user with memory
   */
  public static void write(List<float[]> gates, Path png, String title) {
    double[] values = new double[gates.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = gates.get(i)[1];
    }
    HistogramDataset dataset = new HistogramDataset();
    dataset.addSeries("mean gate g of the target (1 = short-term only)", values, 40, 0.0, 1.0);
    JFreeChart chart =
        ChartFactory.createHistogram(
            title,
            "g (weight of the short-term vector z_U)",
            "users",
            dataset,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ChartUtils.saveChartAsPNG(png.toFile(), chart, 800, 500);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
