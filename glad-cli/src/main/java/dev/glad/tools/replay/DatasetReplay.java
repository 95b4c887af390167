package dev.glad.tools.replay;

import dev.glad.model.data.UserSequences;
import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns a dataset (users' items in time order, as model-runtime reads them) into the event stream a
 * producer would have sent: users interleaved position by position, event time advancing by {@code
 * gapMillis} per event, so every user's items stay in order and the watermark moves evenly across
 * users. The same events, in the same per-user order, are what the offline model code sees, which
 * is what makes "stream equals offline" checkable.
 */
public final class DatasetReplay {
  /** Event-time gap between consecutive events of a replay, by default. */
  public static final long DEFAULT_GAP_MS = 1000;

  private DatasetReplay() {}

  /** Event id of the {@code position}-th item of a user: stable across replays. */
  public static String eventId(String userId, int position) {
    return userId + "#" + position;
  }

  /**
   * Emits every interaction as an event, position by position across users.
   *
   * @param startMillis event time of the first event
   * @param gapMillis event-time step between consecutive events
   * @param limit stop after this many events (Long.MAX_VALUE for all)
   * @return events emitted
   */
  public static long replay(
      UserSequences data,
      long startMillis,
      long gapMillis,
      long limit,
      Consumer<InteractionEvent> out) {
    return inReplayOrder(
        data,
        limit,
        (u, p, ordinal) -> {
          String user = data.userId(u);
          out.accept(
              InteractionEvent.newBuilder()
                  .setEventId(eventId(user, p))
                  .setUserId(user)
                  .setItemId(data.items(u).get(p))
                  .setType(EventType.CLICK)
                  .setEventTime(Instant.ofEpochMilli(startMillis + ordinal * gapMillis))
                  .build());
        });
  }

  /** The event time {@link #replay} gives each item: {@code [user][position]}. */
  public static long[][] eventTimes(UserSequences data, long startMillis, long gapMillis) {
    long[][] times = new long[data.userCount()][];
    for (int u = 0; u < times.length; u++) {
      times[u] = new long[data.items(u).size()];
    }
    inReplayOrder(
        data, Long.MAX_VALUE, (u, p, ordinal) -> times[u][p] = startMillis + ordinal * gapMillis);
    return times;
  }

  /** Visits a user's item. */
  private interface ItemVisitor {
    void visit(int user, int position, long ordinal);
  }

  /** Position by position across users, at most {@code limit} items; returns the items visited. */
  private static long inReplayOrder(UserSequences data, long limit, ItemVisitor visitor) {
    int longest = 0;
    for (int u = 0; u < data.userCount(); u++) {
      longest = Math.max(longest, data.items(u).size());
    }
    long visited = 0;
    for (int p = 0; p < longest && visited < limit; p++) {
      for (int u = 0; u < data.userCount() && visited < limit; u++) {
        if (p < data.items(u).size()) {
          visitor.visit(u, p, visited);
          visited++;
        }
      }
    }
    return visited;
  }

  /** All events in memory, for tests and small datasets. */
  public static List<InteractionEvent> events(
      UserSequences data, long startMillis, long gapMillis) {
    List<InteractionEvent> out = new ArrayList<>();
    replay(data, startMillis, gapMillis, Long.MAX_VALUE, out::add);
    return out;
  }
}
