package dev.glad.serving.scoring;

import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.memory.GraphMemoryMath;

/**
 * The model's item side as flat arrays for the vectorised scorer: the tied embeddings h_T (one row
 * of e floats per vocabulary index) and the output biases b_T, copied once from {@link
 * GraphMemoryMath} so the service scores with exactly the model's numbers.
 */
public final class ItemTable {
  private final ItemVocabulary vocabulary;
  private final int e;
  private final float[] embeddings;
  private final float[] biases;

  public ItemTable(GraphMemoryMath math, ItemVocabulary vocabulary, int e) {
    this.vocabulary = vocabulary;
    this.e = e;
    int tokens = vocabulary.tokenCount();
    this.embeddings = new float[tokens * e];
    this.biases = new float[tokens];
    for (int t = SpecialTokens.FIRST_ITEM; t < tokens; t++) {
      System.arraycopy(math.itemEmbedding(t), 0, embeddings, t * e, e);
      biases[t] = math.itemBias(vocabulary.itemId(t));
    }
  }

  /** e. */
  public int width() {
    return e;
  }

  /** Rows: the vocabulary's token count. */
  public int tokenCount() {
    return biases.length;
  }

  /** The vocabulary index of an item, or -1 when the model does not know it (not counted). */
  public int indexOf(String itemId) {
    return vocabulary.contains(itemId) ? vocabulary.indexOf(itemId) : -1;
  }

  /** The item id of a vocabulary index. */
  public String itemId(int index) {
    return vocabulary.itemId(index);
  }

  /** h_T of every token, row-major (tokenCount x e); shared: do not modify. */
  float[] embeddings() {
    return embeddings;
  }

  /** b_T of every token; shared: do not modify. */
  float[] biases() {
    return biases;
  }

  /** b_T of one index. */
  public float bias(int index) {
    return biases[index];
  }
}
