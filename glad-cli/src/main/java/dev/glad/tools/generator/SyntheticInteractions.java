package dev.glad.tools.generator;

import dev.glad.schemas.EventType;
import dev.glad.schemas.InteractionEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seedable stream of interactions from users with planted long-term interests and short-term
 * drift, for the demo, load tests and end-to-end model checks.
 *
 * <p>The catalogue of {@code items} items is split into {@code topics} equal topics. Each user has
 * {@code interestsPerUser} long-term topics. Users act in sessions: a session stays on one topic,
 * which is one of the user's long-term topics with probability {@code longTermShare} and a random
 * other topic otherwise (short-term drift). Within a topic, items follow a Zipf-like popularity.
 * Users are picked by a Zipf-like activity, so history lengths are skewed as in real data. Event
 * time advances by {@code meanGapMillis} on average per event across all users.
 *
 * <p>The same seed and settings give the same sequence. Not thread-safe.
 */
public final class SyntheticInteractions {
  private final Settings settings;
  private final SplittableRandom random;
  private final int[][] interests;
  private final double[] userActivityCdf;
  private final double[] itemPopularityCdf;
  private final int[] sessionTopic;
  private final int[] sessionLeft;
  private final int[] eventsOfUser;
  private long clock;
  private long eventCounter;

  /** Generator settings with their validation. */
  public record Settings(
      int users,
      int items,
      int topics,
      int interestsPerUser,
      double longTermShare,
      double meanSessionLength,
      double purchaseShare,
      long startMillis,
      long meanGapMillis,
      long seed) {
    public Settings {
      require(users >= 1, "users must be >= 1, got " + users);
      require(topics >= 2, "topics must be >= 2, got " + topics);
      require(items >= topics, "items (" + items + ") must be >= topics (" + topics + ")");
      require(
          interestsPerUser >= 1 && interestsPerUser < topics,
          "interestsPerUser must be in [1, topics), got " + interestsPerUser);
      require(
          longTermShare >= 0 && longTermShare <= 1,
          "longTermShare must be in [0, 1], got " + longTermShare);
      require(meanSessionLength >= 1, "meanSessionLength must be >= 1, got " + meanSessionLength);
      require(
          purchaseShare >= 0 && purchaseShare <= 1,
          "purchaseShare must be in [0, 1], got " + purchaseShare);
      require(meanGapMillis >= 0, "meanGapMillis must be >= 0, got " + meanGapMillis);
    }

    /** Items of the default catalogue. */
    public static final int DEFAULT_ITEMS = 5_000;

    /** Defaults sized for the demo: 2,000 users, 5,000 items in 50 topics. */
    public static Settings defaults(long seed, long startMillis) {
      return new Settings(2_000, DEFAULT_ITEMS, 50, 3, 0.8, 6.0, 0.1, startMillis, 10, seed);
    }

    public Settings withUsers(int n) {
      return new Settings(
          n,
          items,
          topics,
          interestsPerUser,
          longTermShare,
          meanSessionLength,
          purchaseShare,
          startMillis,
          meanGapMillis,
          seed);
    }

    public Settings withItems(int n, int t) {
      return new Settings(
          users,
          n,
          t,
          interestsPerUser,
          longTermShare,
          meanSessionLength,
          purchaseShare,
          startMillis,
          meanGapMillis,
          seed);
    }

    public Settings withTiming(long start, long gap) {
      return new Settings(
          users,
          items,
          topics,
          interestsPerUser,
          longTermShare,
          meanSessionLength,
          purchaseShare,
          start,
          gap,
          seed);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  public SyntheticInteractions(Settings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.interests = new int[settings.users()][];
    for (int u = 0; u < settings.users(); u++) {
      interests[u] = pickDistinct(settings.interestsPerUser(), settings.topics());
    }
    this.userActivityCdf = zipfCdf(settings.users(), 0.8);
    this.itemPopularityCdf = zipfCdf(itemsPerTopic(), 1.0);
    this.sessionTopic = new int[settings.users()];
    this.sessionLeft = new int[settings.users()];
    this.eventsOfUser = new int[settings.users()];
    this.clock = settings.startMillis();
  }

  public Settings settings() {
    return settings;
  }

  /** The planted long-term topics of user {@code u} (0-based index). */
  public int[] interestsOf(int u) {
    return interests[u].clone();
  }

  /** Topic of an item id produced by this generator. */
  public int topicOf(String itemId) {
    int item = Integer.parseInt(itemId.substring(ITEM_PREFIX.length()));
    return item / itemsPerTopic();
  }

  public static final String USER_PREFIX = "u";
  public static final String ITEM_PREFIX = "i";

  public static String userId(int u) {
    return USER_PREFIX + u;
  }

  /** The next event. */
  public InteractionEvent next() {
    int u = sample(userActivityCdf);
    if (sessionLeft[u] == 0) {
      sessionTopic[u] =
          random.nextDouble() < settings.longTermShare()
              ? interests[u][random.nextInt(interests[u].length)]
              : random.nextInt(settings.topics());
      sessionLeft[u] = 1 + geometric(settings.meanSessionLength() - 1);
    }
    sessionLeft[u]--;
    int item = sessionTopic[u] * itemsPerTopic() + sample(itemPopularityCdf);
    clock += settings.meanGapMillis() == 0 ? 0 : 1 + random.nextLong(2 * settings.meanGapMillis());
    eventsOfUser[u]++;
    long id = eventCounter++;
    return InteractionEvent.newBuilder()
        .setEventId("ev-" + settings.seed() + "-" + id)
        .setUserId(userId(u))
        .setItemId(ITEM_PREFIX + item)
        .setType(
            random.nextDouble() < settings.purchaseShare() ? EventType.PURCHASE : EventType.CLICK)
        .setEventTime(Instant.ofEpochMilli(clock))
        .build();
  }

  /** The next {@code n} events. */
  public List<InteractionEvent> next(int n) {
    List<InteractionEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(next());
    }
    return events;
  }

  /** Events generated so far for user {@code u}. */
  public int eventsOf(int u) {
    return eventsOfUser[u];
  }

  private int itemsPerTopic() {
    return settings.items() / settings.topics();
  }

  private int[] pickDistinct(int k, int n) {
    List<Integer> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    // Fisher-Yates on the seeded generator (Collections.shuffle would need java.util.Random)
    for (int i = n - 1; i > 0; i--) {
      Collections.swap(all, i, random.nextInt(i + 1));
    }
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  private int geometric(double mean) {
    if (mean <= 0) {
      return 0;
    }
    double p = 1.0 / (mean + 1);
    return (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
  }

  private int sample(double[] cdf) {
    double x = random.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Cumulative distribution of weights 1/(i+1)^s over n ranks. */
  static double[] zipfCdf(int n, double s) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }
}
