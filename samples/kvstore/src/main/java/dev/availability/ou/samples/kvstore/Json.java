package dev.availability.ou.samples.kvstore;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Just enough JSON writing for the store's answers (no library: the sample depends on the client only). */
final class Json {
  private Json() {}

  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  /** Keys and values (decoded as UTF-8) as one JSON object. */
  static String object(Map<String, byte[]> entries) {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (!first) b.append(',');
      first = false;
      b.append(string(e.getKey()))
          .append(':')
          .append(string(new String(e.getValue(), StandardCharsets.UTF_8)));
    }
    return b.append("}\n").toString();
  }
}
