package dev.availability.ou.memberapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the contract on jackson-core's streaming parser and generator alone. Documents become a plain tree:
 * {@code Map} (in document order), {@code List}, {@code String}, {@code Long} or {@code BigInteger},
 * {@code BigDecimal}, {@code Boolean}, {@code null}; the tree is written back as it was read. The contract's
 * records are read and written field by field by {@link ContractJson} (same JSON as Jackson's data binding gave them: fields in
 * declaration order, nulls left out, unknown fields ignored, scalars coerced as data binding does).
 *
 * <p>No jackson-databind: its ObjectMapper and bean introspection cost the sidecar, which runs in every pod,
 * about 1,000 classes and half a second of start. JsonCompatibilityTest holds this to data binding's output.
 */
final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  // --- trees ---

  /** Parses one JSON value; trailing content is ignored. */
  static Object parse(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() == null) throw new IllegalArgumentException("empty JSON");
      return value(p);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          m.put(name, value(p));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) l.add(value(p));
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : (Object) p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDecimalValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
    }
  }

  /** Writes a tree (or an enum, as its name); maps in their iteration order. */
  static String write(Object value) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) write(g, o);
      g.writeEndArray();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Float f) {
      g.writeNumber(f);
    } else if (v instanceof Enum<?> e) {
      g.writeString(e.name());
    } else {
      throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  /** An object of the given names and values, in that order, leaving out null values (as JsonInclude.NON_NULL). */
  static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) m.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  // --- navigating a tree (absent, null or of another type: empty or null) ---

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  /** A scalar field as text, null when absent, null or not a scalar. */
  static String text(Map<String, Object> m, String name) {
    Object v = m.get(name);
    return v == null || v instanceof Map || v instanceof List ? null : v.toString();
  }

  /** An object of scalars as strings (labels, annotations); other values left out. */
  static Map<String, String> strings(Object o) {
    Map<String, String> out = new LinkedHashMap<>();
    map(o).forEach((k, v) -> {
      if (v != null && !(v instanceof Map) && !(v instanceof List)) out.put(k, v.toString());
    });
    return out;
  }

  /** A deep copy of a tree (maps and lists copied, scalars shared). */
  static Object copy(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> c = new LinkedHashMap<>();
      m.forEach((k, v) -> c.put((String) k, copy(v)));
      return c;
    }
    if (o instanceof List<?> l) {
      List<Object> c = new ArrayList<>(l.size());
      for (Object v : l) c.add(copy(v));
      return c;
    }
    return o;
  }

  // --- reading the contract's records ---

  /** The fields of a record's JSON object; anything else is malformed. */
  static Map<String, Object> record(String json, String type) {
    Object v;
    try {
      v = parse(json);
    } catch (IllegalArgumentException e) {
      throw malformed(type, e.getMessage());
    }
    if (!(v instanceof Map)) throw malformed(type, "not a JSON object");
    return map(v);
  }

  static IllegalArgumentException malformed(String type, String why) {
    return new IllegalArgumentException("malformed " + type + " JSON: " + why);
  }

  /** A string field: a scalar's text (numbers and booleans coerced), null when absent or null. */
  static String string(Map<String, Object> m, String name, String type) {
    Object v = m.get(name);
    if (v instanceof Map || v instanceof List) throw malformed(type, name + " is not a string");
    return v == null ? null : v.toString();
  }

  /** A list of strings: each element's text; null when absent or null; anything but a list of scalars is malformed. */
  static List<String> stringList(Map<String, Object> m, String name, String type) {
    Object v = m.get(name);
    if (v == null) return null;
    if (!(v instanceof List<?> l)) throw malformed(type, name + " is not a list");
    List<String> out = new ArrayList<>(l.size());
    for (Object o : l) {
      if (o == null || o instanceof Map || o instanceof List)
        throw malformed(type, name + " holds something other than strings: " + o);
      out.add(o.toString());
    }
    return out;
  }

  /** A long field: a number (integral, or a float truncated) or a numeric string; null when absent or null. */
  static Long longValue(Map<String, Object> m, String name, String type) {
    Object v = m.get(name);
    if (v == null) return null;
    try {
      if (v instanceof BigInteger b) return b.longValueExact();
      if (v instanceof Number n) return n.longValue();
      if (v instanceof String s) {
        String t = s.trim();
        return t.isEmpty() ? null : Long.parseLong(t);
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw malformed(type, name + " is not a long: " + v);
    }
    throw malformed(type, name + " is not a number: " + v);
  }

  /** A primitive long field: 0 when absent or null. */
  static long primitiveLong(Map<String, Object> m, String name, String type) {
    Long v = longValue(m, name, type);
    return v == null ? 0L : v;
  }

  /** A boolean field: true/false, "true"/"false", or a number (0 is false); null when absent or null. */
  static Boolean bool(Map<String, Object> m, String name, String type) {
    Object v = m.get(name);
    if (v == null || v instanceof Boolean) return (Boolean) v;
    if (v instanceof Number n) return n.longValue() != 0;
    if (v instanceof String s) {
      String t = s.trim();
      if (t.isEmpty()) return null;
      if (t.equalsIgnoreCase("true")) return true;
      if (t.equalsIgnoreCase("false")) return false;
    }
    throw malformed(type, name + " is not a boolean: " + v);
  }

  /** An enum field by constant name (or index); null when absent or null. */
  static <E extends Enum<E>> E enumValue(
      Map<String, Object> m, String name, Class<E> enumType, String type) {
    Object v = m.get(name);
    if (v == null) return null;
    E[] values = enumType.getEnumConstants();
    if (v instanceof String s) {
      if (s.isEmpty()) return null;
      for (E e : values) {
        if (e.name().equals(s)) return e;
      }
    } else if (v instanceof Long i && i >= 0 && i < values.length) {
      return values[(int) (long) i];
    }
    throw malformed(type, name + " is not one of " + java.util.Arrays.toString(values) + ": " + v);
  }
}
