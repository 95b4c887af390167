package dev.glad.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.glad.schemas.ClusterAssignment;
import dev.glad.schemas.ClusterMemory;
import dev.glad.schemas.CompletedChunk;
import dev.glad.schemas.DeadLetter;
import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.InteractionEvent;
import dev.glad.schemas.UserDeletion;
import dev.glad.schemas.UserMemory;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails the build when a topic schema changes incompatibly, or changes without being released into
 * {@code schema-history}. To release a change: add {@code v<N+1>.avsc} (the output of {@code
 * Schema.toString(true)}) and list it in the type's {@code index}.
 */
class SchemaCompatibilityTest {

  static Stream<Class<?>> topicTypes() {
    return Stream.of(
        InteractionEvent.class,
        DeadLetter.class,
        CompletedChunk.class,
        UserMemory.class,
        ClusterMemory.class,
        ClusterAssignment.class,
        UserDeletion.class,
        DeletionAudit.class);
  }

  @ParameterizedTest
  @MethodSource("topicTypes")
  void theCurrentSchemaIsTheNewestReleasedVersion(Class<?> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> history = SchemaHistory.versionsOf(type.getSimpleName());

    assertFalse(history.isEmpty(), "no released versions of " + type.getSimpleName());
    Schema newest = history.get(history.size() - 1);
    assertEquals(
        SchemaNormalization.parsingFingerprint64(newest),
        SchemaNormalization.parsingFingerprint64(current),
        type.getSimpleName()
            + " changed without a new version in schema-history/"
            + type.getSimpleName()
            + "/ (add it and list it in index)");
  }

  @ParameterizedTest
  @MethodSource("topicTypes")
  void everyVersionReadsAllEarlierOnes(Class<?> type) {
    List<Schema> history = SchemaHistory.versionsOf(type.getSimpleName());
    for (int reader = 0; reader < history.size(); reader++) {
      for (int writer = 0; writer < reader; writer++) {
        SchemaCompatibility.SchemaPairCompatibility result =
            SchemaCompatibility.checkReaderWriterCompatibility(
                history.get(reader), history.get(writer));
        assertEquals(
            SchemaCompatibilityType.COMPATIBLE,
            result.getType(),
            type.getSimpleName()
                + " v"
                + (reader + 1)
                + " cannot read v"
                + (writer + 1)
                + ": "
                + result.getDescription());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("topicTypes")
  void theCurrentSchemaReadsEveryReleasedVersion(Class<?> type) {
    Schema current = SpecificData.get().getSchema(type);
    for (Schema released : SchemaHistory.versionsOf(type.getSimpleName())) {
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(current, released);
      assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(), result.getDescription());
    }
  }
}
