package dev.glad.serving;

import java.util.List;
import java.util.Locale;

/**
 * The answer to a {@link ScoreRequest}: one score and gate per candidate, in request order.
 *
 * @param modelVersion the artifact that scored
 * @param userId the user
 * @param scoring how the scores were computed
 * @param memory what happened to the user's memory
 * @param shortTerm where z_U came from
 * @param memoryAgeMs now minus the job's update time of the memory used (-1 when none was used)
 * @param chunkCount complete chunks in the memory used (0 when none)
 * @param candidates the candidate ids, in request order
 * @param scores per candidate; NaN for an unknown item
 * @param gates per candidate, the mean over dimensions of the gate g (1 without memory); NaN for an
 *     unknown item or popularity scoring
 * @param unknownRecentItems recent items the model does not know (encoded as UNK, as the stream
 *     does)
 */
public record ScoreResult(
    String modelVersion,
    String userId,
    Scoring scoring,
    Memory memory,
    ShortTermSource shortTerm,
    long memoryAgeMs,
    long chunkCount,
    List<String> candidates,
    float[] scores,
    float[] gates,
    List<String> unknownRecentItems) {

  /** How a request was scored. */
  public enum Scoring {
    /** GLAD: gated short- and long-term vectors. */
    GLAD,
    /** z_U alone (g = 1). */
    SHORT_TERM,
    /** No z_U and no memory: item popularity (the artifact's output bias b_T). */
    POPULARITY;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What happened to the user's memory. */
  public enum Memory {
    USED,
    /** The service holds no memory of the user (no complete chunk yet, or erased). */
    NONE,
    /** The user's memory was written by another model version: never mixed in (counted). */
    OTHER_MODEL_VERSION,
    /** The memory names a cluster the model does not have: not used (counted). */
    INVALID,
    /** The request asked for short-term scoring. */
    NOT_REQUESTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where z_U came from. */
  public enum ShortTermSource {
    /** The encoder over the request's recent items. */
    RECENT_ITEMS,
    /** No recent items: the memory's z_U (the stream's encoding of the last complete chunk). */
    MEMORY,
    /** Neither. */
    NONE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether candidate {@code t} is an item the model knows. */
  public boolean known(int t) {
    return !Float.isNaN(scores[t]);
  }
}
