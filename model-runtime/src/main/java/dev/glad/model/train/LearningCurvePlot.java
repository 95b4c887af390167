package dev.glad.model.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws a learning curve (validation HR@10/NDCG@10 and training loss per epoch) as a PNG. */
public final class LearningCurvePlot {
  private LearningCurvePlot() {}

  /** Writes {@code curve} to {@code png} (800x500), creating parent directories. */
  public static void write(List<CurvePoint> curve, Path png, String title) {
    XYSeries hr = new XYSeries("validation HR@10 (popularity negatives)");
    XYSeries ndcg = new XYSeries("validation NDCG@10 (popularity negatives)");
    XYSeries loss = new XYSeries("training loss");
    for (CurvePoint p : curve) {
      if (!Double.isNaN(p.validationHr10())) {
        hr.add(p.epoch(), p.validationHr10());
        ndcg.add(p.epoch(), p.validationNdcg10());
      }
      loss.add(p.epoch(), p.trainLoss());
    }
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(new NumberAxis("epoch"));
    plot.setRangeAxis(0, new NumberAxis("metric"));
    plot.setRangeAxis(1, new NumberAxis("loss"));
    XYSeriesCollection metrics = new XYSeriesCollection();
    metrics.addSeries(hr);
    metrics.addSeries(ndcg);
    plot.setDataset(0, metrics);
    plot.setDataset(1, new XYSeriesCollection(loss));
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer metricRenderer = new XYLineAndShapeRenderer(true, true);
    metricRenderer.setSeriesPaint(0, new Color(0x1f77b4));
    metricRenderer.setSeriesPaint(1, new Color(0x2ca02c));
    XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
    lossRenderer.setSeriesPaint(0, new Color(0xd62728));
    lossRenderer.setSeriesStroke(0, new BasicStroke(1.5f));
    plot.setRenderer(0, metricRenderer);
    plot.setRenderer(1, lossRenderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
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
