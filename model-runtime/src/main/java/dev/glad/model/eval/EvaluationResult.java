package dev.glad.model.eval;

import java.util.Map;

/**
 * Metrics of one protocol.
 *
 * @param protocol how negatives were chosen
 * @param users users evaluated
 * @param skippedUnknownTarget users whose target item is not in the model's vocabulary
 * @param metrics means keyed as {@link RankingMetrics#means()}
 * @param standardErrors their standard errors over users ({@link RankingMetrics#standardErrors()})
 */
public record EvaluationResult(
    NegativeProtocol protocol,
    long users,
    long skippedUnknownTarget,
    Map<String, Double> metrics,
    Map<String, Double> standardErrors) {

  /** One metric by name, e.g. {@code NDCG@10}. */
  public double get(String name) {
    Double value = metrics.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no metric '" + name + "', have " + metrics.keySet());
    }
    return value;
  }
}
