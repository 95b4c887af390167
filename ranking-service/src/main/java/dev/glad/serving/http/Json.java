package dev.glad.serving.http;

import dev.glad.serving.MemoryView;
import dev.glad.serving.ScoreResult;
import java.util.List;
import java.util.Map;

/**
 * The service's JSON answers, written directly (a score response for 10,000 candidates is one pass
 * over a StringBuilder). Floats are written with {@link Float#toString}, the shortest text that
 * reads back as the same float, so a client gets the service's exact numbers; NaN is null.
 */
final class Json {
  private Json() {}

  static String error(String message) {
    StringBuilder sb = new StringBuilder(message.length() + 16).append("{\"error\":");
    string(sb, message);
    return sb.append('}').toString();
  }

  static String score(ScoreResult r) {
    StringBuilder sb = new StringBuilder(256 + 64 * r.candidates().size());
    sb.append("{\"modelVersion\":");
    string(sb, r.modelVersion());
    sb.append(",\"userId\":");
    string(sb, r.userId());
    sb.append(",\"scoring\":\"").append(r.scoring().label());
    sb.append("\",\"memory\":\"").append(r.memory().label());
    sb.append("\",\"shortTerm\":\"").append(r.shortTerm().label()).append('"');
    sb.append(",\"memoryAgeMs\":");
    if (r.memoryAgeMs() < 0) {
      sb.append("null");
    } else {
      sb.append(r.memoryAgeMs());
    }
    sb.append(",\"chunkCount\":").append(r.chunkCount());
    sb.append(",\"unknownRecentItems\":");
    strings(sb, r.unknownRecentItems());
    sb.append(",\"results\":[");
    for (int t = 0; t < r.candidates().size(); t++) {
      if (t > 0) {
        sb.append(',');
      }
      sb.append("{\"item\":");
      string(sb, r.candidates().get(t));
      if (r.known(t)) {
        sb.append(",\"score\":");
        number(sb, r.scores()[t]);
        sb.append(",\"gate\":");
        number(sb, r.gates()[t]);
        sb.append(",\"status\":\"ok\"}");
      } else {
        sb.append(",\"score\":null,\"gate\":null,\"status\":\"unknown_item\"}");
      }
    }
    return sb.append("]}").toString();
  }

  static String memory(MemoryView m) {
    StringBuilder sb = new StringBuilder(512);
    sb.append("{\"userId\":");
    string(sb, m.userId());
    sb.append(",\"modelVersion\":");
    string(sb, m.modelVersion());
    sb.append(",\"status\":\"").append(m.servedVersion() ? "ok" : "other_model_version");
    sb.append("\",\"sequenceNumber\":").append(m.sequenceNumber());
    sb.append(",\"chunkCount\":").append(m.chunkCount());
    sb.append(",\"eventTime\":");
    string(sb, java.time.Instant.ofEpochMilli(m.eventTimeMs()).toString());
    sb.append(",\"updateTime\":");
    string(sb, java.time.Instant.ofEpochMilli(m.updateTimeMs()).toString());
    sb.append(",\"ageMs\":").append(m.ageMs());
    sb.append(",\"clusters\":[");
    for (int i = 0; i < m.clusters().size(); i++) {
      MemoryView.Cluster c = m.clusters().get(i);
      sb.append(i > 0 ? "," : "").append("{\"clusterId\":").append(c.clusterId());
      sb.append(",\"weight\":").append(c.weight());
      sb.append(",\"size\":").append(c.size());
      sb.append(",\"version\":").append(c.version());
      sb.append(",\"topItems\":");
      strings(sb, c.topItems());
      sb.append('}');
    }
    return sb.append("]}").toString();
  }

  /** A flat object of simple values (health, readiness). */
  static String object(Map<String, ?> fields) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, ?> f : fields.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      string(sb, f.getKey());
      sb.append(':');
      Object v = f.getValue();
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else {
        string(sb, v.toString());
      }
    }
    return sb.append('}').toString();
  }

  private static void strings(StringBuilder sb, List<String> values) {
    sb.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      string(sb, values.get(i));
    }
    sb.append(']');
  }

  private static void number(StringBuilder sb, float v) {
    if (Float.isNaN(v) || Float.isInfinite(v)) {
      sb.append("null");
    } else {
      sb.append(v);
    }
  }

  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    sb.append('"');
  }
}
