package dev.glad.tools.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the bench's JVM spends, read from its own management beans: CPU time per task (Java threads
 * grouped by name, the subtasks of one task together) and the heap that is live after a collection.
 * The bench runs the broker and the MiniCluster in this JVM: the heap is the whole process's, and
 * CPU is attributed by thread.
 *
 * <p>CPU time per event is steadier than events/s: the rounds' rates scatter with how each job's
 * RocksDB state happens to be shaped, while the work per event of one task moves much less. Native
 * threads that are not Java threads (PyTorch's intra-op pool) are not counted.
 */
final class ProcessProbe {
  /** A subtask's suffix in Flink's thread names: " (1/2)#0". */
  private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private ProcessProbe() {}

  /** The CPU nanoseconds every live thread has used so far, by thread id. */
  static Map<Long, ThreadCpu> threadCpu() {
    Map<Long, ThreadCpu> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      ThreadInfo info = THREADS.getThreadInfo(id);
      long nanos = THREADS.getThreadCpuTime(id);
      if (info != null && nanos >= 0) {
        cpu.put(id, new ThreadCpu(info.getThreadName(), nanos));
      }
    }
    return cpu;
  }

  /** One thread's name and CPU time so far. */
  record ThreadCpu(String name, long nanos) {}

  /**
   * CPU seconds per task between two readings: threads grouped by {@link #task(String)}; a thread
   * started in between counts from zero, one that ended in between is lost (tasks of a running job
   * keep their threads).
   */
  static Map<String, Double> cpuSecondsByTask(Map<Long, ThreadCpu> from, Map<Long, ThreadCpu> to) {
    Map<String, Double> byTask = new TreeMap<>();
    to.forEach(
        (id, now) -> {
          ThreadCpu before = from.get(id);
          long nanos = now.nanos() - (before == null ? 0 : before.nanos());
          if (nanos > 0) {
            byTask.merge(task(now.name()), nanos / 1e9, Double::sum);
          }
        });
    return byTask;
  }

  /**
   * The task a thread works for: its name without Flink's subtask suffix, so that the subtasks of
   * one task add up, and shortened to the chain's first operator ("chunk-assembler -> (Sink: ...)
   * (2/2)#0" → "chunk-assembler"); other threads keep their name.
   */
  static String task(String threadName) {
    String task = SUBTASK.matcher(threadName).replaceFirst("");
    int chained = task.indexOf(" -> ");
    return chained < 0 ? task : task.substring(0, chained);
  }

  /**
   * The heap that is live after a full collection, in bytes. {@code System.gc()} stops the world;
   * call it outside a measured window.
   */
  static long liveHeapBytes() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
