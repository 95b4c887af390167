package dev.glad.serving.memory;

/**
 * Which of two records of one user the service keeps (the materialization rule for the compacted
 * user-memory topic). The answer does not depend on the order the records arrive in:
 *
 * <ul>
 *   <li>a record of the service's model version beats one of another version (vectors of another
 *       model are never mixed in);
 *   <li>between two records of the same side, the higher {@code sequenceNumber} wins (the job's
 *       per-user counter, which keeps increasing through a model-upgrade reset);
 *   <li>a record of another version is kept only while there is none of the service's: it tells a
 *       request that the user has memory the service must not use.
 * </ul>
 */
public final class UserRecordRule {
  private UserRecordRule() {}

  /** What happens to an incoming record. */
  public enum Decision {
    /** The incoming record replaces the stored one (or is the first). */
    STORE,
    /** The stored record stays: it is newer, or of the service's version. */
    KEEP
  }

  /**
   * @param servedVersion the service's model version
   * @param storedOrNull what the store holds for the user
   * @param incoming the record read from the topic
   */
  public static Decision decide(
      String servedVersion, StoredUserMemory storedOrNull, StoredUserMemory incoming) {
    if (storedOrNull == null) {
      return Decision.STORE;
    }
    boolean incomingServed = servedVersion.equals(incoming.modelVersion());
    boolean storedServed = servedVersion.equals(storedOrNull.modelVersion());
    if (incomingServed != storedServed) {
      return incomingServed ? Decision.STORE : Decision.KEEP;
    }
    return incoming.sequenceNumber() > storedOrNull.sequenceNumber()
        ? Decision.STORE
        : Decision.KEEP;
  }
}
