package dev.glad.serving.memory;

/** How far the service's memory is behind the topics, and whether it may answer yet. */
public interface Freshness {
  /** Whether the topics were read to the end they had at start. */
  boolean ready();

  /** Why not ready (null when ready). */
  String notReadyReason();

  /** Whether reading the topics failed for good (the process should be restarted). */
  boolean failed();

  /** Records of the user-memory topic not read yet (-1: not known yet). */
  long userLag();

  /** Records of the cluster-memory topic not read yet (-1: not known yet). */
  long clusterLag();

  /** The newest job update time among the user records read (0: none yet). */
  long newestUserUpdateMs();
}
