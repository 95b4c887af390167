package dev.glad.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glad.cli.Glad;
import dev.glad.flink.memory.UserMemoryFunction;
import dev.glad.flink.state.UserState;
import dev.glad.it.MemoryRuns.Mode;
import dev.glad.schemas.UserMemory;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.tools.local.JobState;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.avro.Schema;
import org.apache.avro.compiler.specific.SpecificCompiler;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade path of a version that adds a field to the user state: the committed savepoint
 * ({@link CommittedSavepoint}) restores into a job whose {@code UserState} has one more field (with
 * a default), compiled here from today's schema as the next version's build would compile it and
 * put first on the classpath of a {@code ./glad job --from-savepoint} process. Flink migrates every
 * user's state to the new schema on restore; the job reads on to the uninterrupted memory, and the
 * savepoint it stops with holds the added field, with its default, for every user.
 */
class StateEvolutionITCase {
  static final String ADDED_FIELD = "addedLater";
  static final String ADDED_DEFAULT = "not yet";

  @RegisterExtension static final KafkaTestBroker KAFKA = new KafkaTestBroker();

  /**
   * For the uninterrupted run and the State Processor API; the upgraded job runs in its own JVM.
   */
  @RegisterExtension static final MiniClusterExtension FLINK = TestClusters.twoSlots();

  @TempDir Path work;

  @Test
  void theCommittedSavepointRestoresIntoAStateSchemaWithAnAddedField() throws Exception {
    CommittedSavepoint.Restore restore = CommittedSavepoint.prepareRestore(KAFKA);
    MemoryRuns runs = restore.runs();
    GladTopics topics = restore.topics();
    runs.sendClosingTicks(topics);

    // Given the next version: UserState with an added field, first on the job's classpath
    Schema evolved = evolvedUserState();
    Path upgradedClasses = compile(evolved, work.resolve("upgraded"));

    // When it restores the savepoint and reads on, then stops with a savepoint (SIGTERM)
    Path checkpoints = work.resolve("checkpoints");
    Path log = work.resolve("job.log");
    Process job =
        LocalJobProcess.start(
            LocalJobProcess.command(
                upgradedClasses,
                UpgradedJob.class,
                runs,
                topics,
                checkpoints,
                "--from-savepoint",
                restore.savepoint().toString()),
            log);
    try {
      runs.awaitComplete(
          () -> LocalJobProcess.alive(job, log),
          topics,
          Mode.FROZEN,
          Duration.ofSeconds(240),
          restore.updatesOwed());
    } finally {
      job.destroy();
      if (!job.waitFor(120, TimeUnit.SECONDS)) {
        job.destroyForcibly();
      }
    }
    assertThat(Files.readString(log)).contains("upgraded state schema: " + ADDED_FIELD);

    // Then the memory continues to the uninterrupted run's
    restore.assertContinuesToUninterrupted();
    // and the savepoint it stopped with holds every user in the new schema, the new field at its
    // default and the memory as published
    JobState stopped = JobState.latest(checkpoints).orElseThrow();
    assertThat(stopped.kind()).as(Files.readString(log)).isEqualTo("savepoint");
    Map<String, EvolvedState> states = new HashMap<>();
    for (EvolvedState s :
        CommittedSavepoint.readUserMemory(stopped.path(), new GenericStates(evolved))) {
      states.put(s.userId(), s);
    }
    Map<String, UserMemory> last = MemoryRuns.lastPerUser(restore.uninterrupted().userUpdates());
    assertThat(states.keySet()).isEqualTo(last.keySet());
    states.forEach(
        (user, state) -> {
          assertThat(state.addedField()).as(user).isEqualTo(ADDED_DEFAULT);
          assertThat(state.chunkCount()).as(user).isEqualTo(last.get(user).getChunkCount());
          assertThat(state.sequenceNumber()).as(user).isEqualTo(last.get(user).getSequenceNumber());
        });
  }

  /** Today's UserState schema with one more field, with a default (the only allowed evolution). */
  static Schema evolvedUserState() {
    String added =
        ",{\"name\":\""
            + ADDED_FIELD
            + "\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"},\"default\":\""
            + ADDED_DEFAULT
            + "\"}]}";
    Schema evolved =
        new Schema.Parser().parse(UserState.getClassSchema().toString().replaceFirst("]}$", added));
    assertThat(evolved.getFields()).hasSize(UserState.getClassSchema().getFields().size() + 1);
    return evolved;
  }

  /** The schema's specific class, generated and compiled as the project's build does. */
  static Path compile(Schema schema, Path dir) throws IOException {
    Path sources = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    SpecificCompiler compiler = new SpecificCompiler(schema);
    compiler.setStringType(GenericData.StringType.String);
    compiler.setFieldVisibility(SpecificCompiler.FieldVisibility.PRIVATE);
    compiler.compileToDestination(null, sources.toFile());
    Path source = sources.resolve(schema.getFullName().replace('.', File.separatorChar) + ".java");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-cp",
            System.getProperty("java.class.path"),
            "-d",
            classes.toString(),
            source.toString());
    assertThat(rc).as("javac " + source).isZero();
    return classes;
  }

  /** {@code ./glad}, after saying which state schema it runs (the log proves the upgrade). */
  public static final class UpgradedJob {
    public static void main(String[] args) {
      Schema running = UserState.getClassSchema();
      if (running.getField(ADDED_FIELD) != null) {
        System.out.println("upgraded state schema: " + ADDED_FIELD);
      }
      Glad.main(args);
    }
  }

  /** What the test checks of a user's state read with the evolved schema. */
  record EvolvedState(String userId, String addedField, long chunkCount, long sequenceNumber) {}

  /** Reads {@code user-memory}'s keyed state as generic records of a given schema. */
  static final class GenericStates extends KeyedStateReaderFunction<String, EvolvedState> {
    private final String schema;
    private transient ValueState<GenericRecord> state;

    GenericStates(Schema schema) {
      this.schema = schema.toString();
    }

    @Override
    public void open(OpenContext context) {
      state =
          getRuntimeContext()
              .getState(
                  new ValueStateDescriptor<>(
                      UserMemoryFunction.userStateDescriptor().getName(),
                      new GenericRecordAvroTypeInfo(new Schema.Parser().parse(schema))));
    }

    @Override
    public void readKey(String key, Context ctx, Collector<EvolvedState> out) throws Exception {
      GenericRecord s = state.value();
      out.collect(
          new EvolvedState(
              key,
              String.valueOf(s.get(ADDED_FIELD)),
              (Long) s.get("chunkCount"),
              (Long) s.get("sequenceNumber")));
    }
  }
}
