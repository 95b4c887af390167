package dev.glad.model.data;

/**
 * Vocabulary indices of the special tokens. Items occupy {@code FIRST_ITEM .. FIRST_ITEM + V - 1}.
 * The values are recorded in every model artifact's config; they are constants of format version 1.
 */
public final class SpecialTokens {
  /** Padding; ignored by attention. */
  public static final int PAD = 0;

  /** The Cloze mask token; {@code encode} appends it after the items. */
  public static final int MASK = 1;

  /** Any item id that is not in the vocabulary. */
  public static final int UNK = 2;

  /** Index of the first real item. */
  public static final int FIRST_ITEM = 3;

  /** Number of special tokens. */
  public static final int COUNT = 3;

  private SpecialTokens() {}
}
