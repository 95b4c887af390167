package dev.glad.serving;

import java.util.List;

/**
 * One score request.
 *
 * @param userId whose memory to read
 * @param recentItems the user's most recent items, oldest first (may be empty); z_U encodes the
 *     last c of them
 * @param candidates the items to score, in the order the scores come back
 * @param useMemory false scores short-term only ({@code z_U · h_T + b_T}), the ceiling GLAD is
 *     compared with
 */
public record ScoreRequest(
    String userId, List<String> recentItems, List<String> candidates, boolean useMemory) {
  public ScoreRequest {
    recentItems = List.copyOf(recentItems);
    candidates = List.copyOf(candidates);
  }
}
