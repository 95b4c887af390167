package dev.glad.tools.bench;

import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.generator.SyntheticInteractions;
import dev.glad.tools.kafka.PacedProducer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/** The pre-filled input of the benches: a generator's events, keyed by user, with progress. */
final class BenchHistory {
  private BenchHistory() {}

  /**
   * Sends {@code events} events of {@code generator} to the interactions topic, event times 1 ms
   * apart from {@code startMillis}, printing progress with rate and ETA every 10 s; {@code each}
   * sees every event sent.
   */
  static void send(
      PacedProducer producer,
      GladTopics topics,
      SyntheticInteractions generator,
      long events,
      long startMillis,
      PrintStream out,
      Consumer<InteractionEvent> each) {
    long t = System.nanoTime();
    long lastReport = t;
    for (long i = 0; i < events; i++) {
      InteractionEvent e =
          InteractionEvent.newBuilder(generator.next())
              .setEventTime(Instant.ofEpochMilli(startMillis + i))
              .build();
      each.accept(e);
      producer.send(
          topics.interactions().name(),
          e.getUserId().getBytes(StandardCharsets.UTF_8),
          topics.interactions().serializeValue(e));
      if (System.nanoTime() - lastReport > 10e9) {
        lastReport = System.nanoTime();
        double rate = i / ((System.nanoTime() - t) / 1e9);
        out.printf(
            Locale.ROOT,
            "  producing: %,d / %,d events, %,.0f events/s, ETA %.0f s%n",
            i,
            events,
            rate,
            (events - i) / rate);
      }
    }
  }
}
