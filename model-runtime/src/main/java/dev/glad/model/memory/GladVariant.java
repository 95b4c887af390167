package dev.glad.model.memory;

import java.util.Locale;

/**
 * Which parts of GLAD a model uses (paper Table 3). Every variant shares the encoder, the gate and
 * the score; they differ in the graph and in the last GNN layer.
 */
public enum GladVariant {
  /** The encoder alone (phase 1); no memory. */
  BERT4REC("bert4rec", false, false, false),
  /**
   * Phase-2 fine-tuning of the encoder on the short-term window without any memory: the control
   * that separates the memory's gain from the fine-tuning's.
   */
  SHORT_TERM("S", false, false, false),
  /** Graph memory with one node per unique chunk, plain GraphSAGE layer 2. */
  G("G", true, false, false),
  /** Clustered graph memory, plain GraphSAGE layer 2. */
  GC("GC", true, true, false),
  /** Clustered graph memory with the target-attentive final layer (eq. 5). */
  GCA("GCA", true, true, true);

  private final String flag;
  private final boolean hasMemory;
  private final boolean clustered;
  private final boolean attentive;

  GladVariant(String flag, boolean hasMemory, boolean clustered, boolean attentive) {
    this.flag = flag;
    this.hasMemory = hasMemory;
    this.clustered = clustered;
    this.attentive = attentive;
  }

  /** The command-line and config.json spelling. */
  public String flag() {
    return flag;
  }

  /** Whether the model reads a graph memory. */
  public boolean hasMemory() {
    return hasMemory;
  }

  /** Whether memory nodes are k-means clusters (else one node per unique chunk). */
  public boolean clustered() {
    return clustered;
  }

  /** Whether the final layer is the target-attentive read (eq. 5). */
  public boolean attentive() {
    return attentive;
  }

  /** Parses a flag case-insensitively: {@code bert4rec, S, G, GC, GCA}. */
  public static GladVariant parse(String value) {
    if (value != null) {
      for (GladVariant v : values()) {
        if (v.flag.equalsIgnoreCase(value.strip())) {
          return v;
        }
      }
      if (value.strip().toLowerCase(Locale.ROOT).replace("+", "").equals("gca")) {
        return GCA;
      }
    }
    throw new IllegalArgumentException(
        "variant must be bert4rec, S, G, GC or GCA but was '" + value + "'");
  }
}
