package dev.glad.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glad.schemas.InteractionEvent;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class GladTopicsTest {

  @Test
  void defaultNamesAndCompaction() {
    GladTopics topics = GladTopics.defaults();

    assertEquals("glad.interactions", topics.interactions().name());
    assertEquals("glad.dead-letters", topics.deadLetters().name());
    assertEquals("glad.completed-chunks", topics.completedChunks().name());
    assertEquals("glad.user-memory", topics.userMemory().name());
    assertEquals("glad.cluster-memory", topics.clusterMemory().name());
    assertTrue(topics.userMemory().compacted());
    assertTrue(topics.clusterMemory().compacted());
    assertFalse(topics.interactions().compacted());
    assertEquals("glad.cluster-assignments", topics.clusterAssignments().name());
    assertEquals("glad.user-deletions", topics.userDeletions().name());
    assertEquals("glad.deletions-audit", topics.deletionsAudit().name());
    assertFalse(topics.userDeletions().compacted());
    assertEquals(8, topics.all().size());
  }

  @Test
  void prefixesEveryName() {
    List<String> names = GladTopics.withPrefix("test-7.").all().stream().map(Topic::name).toList();
    assertTrue(names.stream().allMatch(n -> n.startsWith("test-7.")), names.toString());
  }

  @Test
  void rejectsIllegalNamesWithTheRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GladTopics.withPrefix("bad prefix/"));
    assertEquals(
        "illegal Kafka topic name 'bad prefix/interactions': use 1 to 249 characters from"
            + " [a-zA-Z0-9._-], not '.' or '..'",
        e.getMessage());
    assertEquals(
        "topic prefix must not be null (use \"\" for none)",
        assertThrows(IllegalArgumentException.class, () -> GladTopics.withPrefix(null))
            .getMessage());
  }

  @Test
  void serdesRoundTripAndNameTheReasonOnFailure() {
    Topic<String, InteractionEvent> topic = GladTopics.defaults().interactions();
    InteractionEvent event = TestRecords.click("e", "u", "i", 7L);

    assertEquals(event, topic.deserializeValue(topic.serializeValue(event)));
    assertEquals("u", topic.deserializeKey(topic.serializeKey("u")));
    assertNull(topic.deserializeValue(null));
    SerializationException e =
        assertThrows(SerializationException.class, () -> topic.deserializeValue(new byte[12]));
    assertTrue(e.getMessage().startsWith("topic glad.interactions: UNDECODABLE: "), e.getMessage());
  }
}
