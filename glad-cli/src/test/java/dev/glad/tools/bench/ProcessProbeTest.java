package dev.glad.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessProbeTest {
  @Test
  void aTaskIsItsChainsFirstOperatorWithoutTheSubtask() {
    assertEquals(
        "chunk-assembler",
        ProcessProbe.task("chunk-assembler -> (Sink: dead-letters: Writer) (2/2)#0"));
    assertEquals("user-memory", ProcessProbe.task("user-memory (1/2)#3"));
    assertEquals(
        "Source: interactions-source", ProcessProbe.task("Source: interactions-source (1/2)"));
    assertEquals(
        "data-plane-kafka-request-handler-0",
        ProcessProbe.task("data-plane-kafka-request-handler-0"));
  }

  @Test
  void subtasksOfATaskAddUpAndAThreadStartedInBetweenCountsFromZero() {
    Map<Long, ProcessProbe.ThreadCpu> from =
        Map.of(
            1L, new ProcessProbe.ThreadCpu("chunk-assembler (1/2)#0", 1_000_000_000L),
            2L, new ProcessProbe.ThreadCpu("chunk-assembler (2/2)#0", 2_000_000_000L),
            3L, new ProcessProbe.ThreadCpu("idle", 5L));
    Map<Long, ProcessProbe.ThreadCpu> to =
        Map.of(
            1L, new ProcessProbe.ThreadCpu("chunk-assembler (1/2)#0", 1_500_000_000L),
            2L, new ProcessProbe.ThreadCpu("chunk-assembler (2/2)#0", 2_250_000_000L),
            3L, new ProcessProbe.ThreadCpu("idle", 5L),
            4L, new ProcessProbe.ThreadCpu("user-memory (1/2)#0", 100_000_000L));

    Map<String, Double> cpu = ProcessProbe.cpuSecondsByTask(from, to);

    assertEquals(Set.of("chunk-assembler", "user-memory"), cpu.keySet());
    assertEquals(0.75, cpu.get("chunk-assembler"), 1e-9);
    assertEquals(0.1, cpu.get("user-memory"), 1e-9);
  }

  @Test
  void threadCpuReadsThisThread() {
    long spin = 0;
    for (int i = 0; i < 1_000_000; i++) {
      spin += i % 7;
    }
    ProcessProbe.ThreadCpu self = ProcessProbe.threadCpu().get(Thread.currentThread().getId());
    assertTrue(self.nanos() > 0, "cpu time of " + self + " after " + spin);
  }
}
