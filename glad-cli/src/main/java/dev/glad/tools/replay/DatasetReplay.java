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
    int longest = 0;
    for (int u = 0; u < data.userCount(); u++) {
      longest = Math.max(longest, data.items(u).size());
    }
    long emitted = 0;
    for (int p = 0; p < longest && emitted < limit; p++) {
      for (int u = 0; u < data.userCount() && emitted < limit; u++) {
        List<String> items = data.items(u);
        if (p >= items.size()) {
          continue;
        }
        String user = data.userId(u);
        out.accept(
            InteractionEvent.newBuilder()
                .setEventId(eventId(user, p))
                .setUserId(user)
                .setItemId(items.get(p))
                .setType(EventType.CLICK)
                .setEventTime(Instant.ofEpochMilli(startMillis + emitted * gapMillis))
                .build());
        emitted++;
      }
    }
    return emitted;
  }

  /** All events in memory, for tests and small datasets. */
  public static List<InteractionEvent> events(
      UserSequences data, long startMillis, long gapMillis) {
    List<InteractionEvent> out = new ArrayList<>();
    replay(data, startMillis, gapMillis, Long.MAX_VALUE, out::add);
    return out;
  }
}
