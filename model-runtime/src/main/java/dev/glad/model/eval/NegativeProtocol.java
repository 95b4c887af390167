package dev.glad.model.eval;

import java.util.Locale;

/** Which items the target is ranked against. */
public enum NegativeProtocol {
  /** 100 items sampled uniformly from those the user never interacted with. */
  UNIFORM("uniform"),
  /** 100 items sampled by interaction count from those the user never interacted with. */
  POPULARITY("popularity"),
  /** Every item, with the user's previously seen items (other than the target) removed. */
  ALL("all");

  private final String flag;

  NegativeProtocol(String flag) {
    this.flag = flag;
  }

  /** The command-line spelling. */
  public String flag() {
    return flag;
  }

  /** Parses {@code uniform}, {@code popularity} or {@code all}. */
  public static NegativeProtocol parse(String value) {
    for (NegativeProtocol p : values()) {
      if (p.flag.equals(value.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "negatives must be uniform, popularity or all but was '" + value + "'");
  }
}
