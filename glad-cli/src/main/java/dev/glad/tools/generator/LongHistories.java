package dev.glad.tools.generator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic data set of long user histories in which the long-term memory is what predicts the
 * next item: the positive control for GLAD's memory, where ML-100K and Beauty give no clear answer.
 *
 * <p>The catalogue of {@code items} is split into {@code topics} equal topics; within a topic items
 * follow a Zipf(1) popularity. Every user has {@code interestsPerUser} long-term topics with
 * unequal, user-specific weights (normalised exponential draws). A history is a sequence of short
 * sessions (geometric length, mean {@code meanSessionLength}); a session's topic is drawn from the
 * user's interest weights with probability {@code 1 - noiseShare} and uniformly from all topics
 * otherwise. Within a session the last few items predict the next one; at a session start only the
 * user's whole history says which topic comes next.
 *
 * <p>The defaults are the long-history benchmark of RESULTS §7.4: 10 interests, sessions of 4
 * items, and a returning tail of 2: the held-out validation and test items each open a new session
 * on a planted interest, so they are returns to a long-term interest. The last item's topic is then
 * among the 10 items before it for about 45 % of users (by chance: those items show two or three of
 * the ten interests) and a planted interest for all ({@link #reveal}); without the tail, with 5
 * interests (the first set we generated), the last 10 items showed it for 87 %.
 *
 * <p>History lengths are drawn log-uniformly from {@code [minLength, maxLength]}, so every user has
 * many complete chunks. The same settings give the same file, byte for byte.
 */
public final class LongHistories {
  /**
   * @param users users
   * @param items catalogue size (a multiple of {@code topics} is used: the rest is dropped)
   * @param topics topics
   * @param interestsPerUser long-term topics per user
   * @param noiseShare share of sessions on a uniformly random topic
   * @param meanSessionLength mean session length (geometric, at least 1)
   * @param minLength shortest history
   * @param maxLength longest history
   * @param returningTail the last items of every history that each open a new session on a planted
   *     interest (never noise): the held-out validation and test items are returns to a long-term
   *     interest, which the items just before them show only by chance
   * @param seed everything random
   */
  public record Settings(
      int users,
      int items,
      int topics,
      int interestsPerUser,
      double noiseShare,
      double meanSessionLength,
      int minLength,
      int maxLength,
      int returningTail,
      long seed) {
    public static final int DEFAULT_USERS = 20_000;
    public static final int DEFAULT_ITEMS = 6_000;
    public static final int DEFAULT_TOPICS = 120;
    public static final int DEFAULT_INTERESTS = 10;
    public static final double DEFAULT_NOISE_SHARE = 0.2;
    public static final double DEFAULT_MEAN_SESSION_LENGTH = 4;
    public static final int DEFAULT_MIN_LENGTH = 100;
    public static final int DEFAULT_MAX_LENGTH = 300;
    public static final int DEFAULT_RETURNING_TAIL = 2;

    /** Validates, naming the offending value. */
    public Settings {
      require(users >= 1, "users must be >= 1, got " + users);
      require(topics >= 2, "topics must be >= 2, got " + topics);
      require(items >= topics, "items (" + items + ") must be >= topics (" + topics + ")");
      require(
          interestsPerUser >= 1 && interestsPerUser < topics,
          "interestsPerUser must be in [1, topics), got " + interestsPerUser);
      require(
          noiseShare >= 0 && noiseShare <= 1, "noiseShare must be in [0, 1], got " + noiseShare);
      require(meanSessionLength >= 1, "meanSessionLength must be >= 1, got " + meanSessionLength);
      require(
          minLength >= 3 && maxLength >= minLength,
          "need 3 <= minLength <= maxLength, got " + minLength + " and " + maxLength);
      require(
          returningTail >= 0 && returningTail < minLength,
          "returningTail must be in [0, minLength), got " + returningTail);
    }

    /**
     * The defaults with {@code seed}: 20,000 users, 100 to 300 items each (~3.6 M interactions).
     */
    public static Settings defaults(long seed) {
      return new Settings(
          DEFAULT_USERS,
          DEFAULT_ITEMS,
          DEFAULT_TOPICS,
          DEFAULT_INTERESTS,
          DEFAULT_NOISE_SHARE,
          DEFAULT_MEAN_SESSION_LENGTH,
          DEFAULT_MIN_LENGTH,
          DEFAULT_MAX_LENGTH,
          DEFAULT_RETURNING_TAIL,
          seed);
    }

    /** These settings with {@code n} users (the sibling generator's settings have the same). */
    public Settings withUsers(int n) {
      return new Settings(
          n,
          items,
          topics,
          interestsPerUser,
          noiseShare,
          meanSessionLength,
          minLength,
          maxLength,
          returningTail,
          seed);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /** One user's history and the planted interests behind it. */
  public record History(int[] items, int[] interests, double[] weights) {}

  /**
   * How much of the next item a recent window gives away, over all users: the share whose last
   * item's topic is among the topics of the {@code window} items before it, against the share whose
   * last item's topic is a planted interest (what a memory of the whole history can know).
   */
  public record Reveal(int window, double recentShare, double plantedShare) {}

  private final Settings settings;
  private final double[] itemCdf;

  public LongHistories(Settings settings) {
    this.settings = settings;
    this.itemCdf = SyntheticInteractions.zipfCdf(itemsPerTopic(), 1.0);
  }

  public Settings settings() {
    return settings;
  }

  int itemsPerTopic() {
    return settings.items() / settings.topics();
  }

  /** The topic of an item index. */
  public int topicOf(int item) {
    return item / itemsPerTopic();
  }

  /**
   * User {@code u}'s history, a function of the seed and {@code u} only (users can be generated in
   * any order or in parallel).
   */
  public History history(int u) {
    SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + u);
    int[] interests = distinctTopics(random);
    double[] weights = new double[interests.length];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = -Math.log(1 - random.nextDouble());
      total += weights[i];
    }
    for (int i = 0; i < weights.length; i++) {
      weights[i] /= total;
    }
    double logMin = Math.log(settings.minLength());
    double logMax = Math.log(settings.maxLength() + 1);
    int length =
        Math.min(
            settings.maxLength(), (int) Math.exp(logMin + random.nextDouble() * (logMax - logMin)));
    int[] items = new int[length];
    int left = 0;
    int topic = 0;
    for (int k = 0; k < length; k++) {
      boolean returning = k >= length - settings.returningTail();
      if (left == 0 || returning) {
        topic =
            !returning && random.nextDouble() < settings.noiseShare()
                ? random.nextInt(settings.topics())
                : interests[pick(weights, random.nextDouble())];
        left = 1 + geometric(settings.meanSessionLength() - 1, random);
      }
      left--;
      items[k] = topic * itemsPerTopic() + sample(itemCdf, random.nextDouble());
    }
    return new History(items, interests, weights);
  }

  /** The {@link Reveal} of the last item of every user's history for a recent {@code window}. */
  public Reveal reveal(int window) {
    long inRecent = 0;
    long inPlanted = 0;
    for (int u = 0; u < settings.users(); u++) {
      History h = history(u);
      int[] items = h.items();
      int target = topicOf(items[items.length - 1]);
      for (int k = Math.max(0, items.length - 1 - window); k < items.length - 1; k++) {
        if (topicOf(items[k]) == target) {
          inRecent++;
          break;
        }
      }
      for (int t : h.interests()) {
        inPlanted += t == target ? 1 : 0;
      }
    }
    return new Reveal(
        window, inRecent / (double) settings.users(), inPlanted / (double) settings.users());
  }

  /**
   * Writes {@code user item} pairs (ids {@code u<n>}, {@code i<n>}), each user's lines in order.
   */
  public void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (int u = 0; u < settings.users(); u++) {
          String user = SyntheticInteractions.USER_PREFIX + u;
          for (int item : history(u).items()) {
            w.write(user);
            w.write(' ');
            w.write(SyntheticInteractions.ITEM_PREFIX);
            w.write(Integer.toString(item));
            w.write('\n');
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private int[] distinctTopics(SplittableRandom random) {
    List<Integer> chosen = new ArrayList<>();
    while (chosen.size() < settings.interestsPerUser()) {
      int t = random.nextInt(settings.topics());
      if (!chosen.contains(t)) {
        chosen.add(t);
      }
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The index whose cumulative weight first exceeds {@code x} (weights sum to 1). */
  static int pick(double[] weights, double x) {
    double cumulative = 0;
    for (int i = 0; i < weights.length; i++) {
      cumulative += weights[i];
      if (x < cumulative) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static int geometric(double mean, SplittableRandom random) {
    if (mean <= 0) {
      return 0;
    }
    double p = 1.0 / (mean + 1);
    return (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
  }

  private static int sample(double[] cdf, double x) {
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
}
