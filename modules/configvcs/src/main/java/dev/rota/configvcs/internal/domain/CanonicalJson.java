package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: no whitespace, object members
 * sorted by their names' UTF-16 code units, strings escaped as ECMAScript's JSON.stringify does and
 * numbers as {@link CanonicalNumber} writes them. Its SHA-256 is the value's content address.
 *
 * <p>Strings must be valid Unicode (I-JSON, which RFC 8785 requires): a lone surrogate is refused,
 * and so is U+0000, which PostgreSQL's jsonb cannot hold.
 */
public final class CanonicalJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final long SAFE_INTEGER = 1L << 53;

  private CanonicalJson() {}

  public static String write(JsonValue value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  public static void append(StringBuilder out, JsonValue value) {
    switch (value.getValueType()) {
      case OBJECT -> {
        JsonObject object = (JsonObject) value;
        out.append('{');
        boolean first = true;
        for (String key : sortedKeys(object)) {
          if (!first) {
            out.append(',');
          }
          first = false;
          appendString(out, key);
          out.append(':');
          append(out, object.get(key));
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        JsonArray array = (JsonArray) value;
        for (int i = 0; i < array.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          append(out, array.get(i));
        }
        out.append(']');
      }
      case STRING -> appendString(out, ((JsonString) value).getString());
      case NUMBER -> appendNumber(out, (JsonNumber) value);
      case TRUE -> out.append("true");
      case FALSE -> out.append("false");
      case NULL -> out.append("null");
    }
  }

  private static void appendNumber(StringBuilder out, JsonNumber number) {
    if (number.isIntegral()) {
      try {
        long whole = number.longValueExact();
        if (Math.abs(whole) <= SAFE_INTEGER) {
          out.append(whole);
          return;
        }
      } catch (ArithmeticException beyondLong) {
        // written exactly below
      }
    }
    out.append(CanonicalNumber.format(number.bigDecimalValue()));
  }

  /** The object's member names in canonical order: by UTF-16 code units, as String sorts. */
  public static List<String> sortedKeys(JsonObject object) {
    List<String> keys = new ArrayList<>(object.keySet());
    keys.sort(null);
    return keys;
  }

  /** Appends {@code text} as a quoted JSON string, escaped as RFC 8785 §3.2.2.2 says. */
  public static void appendString(StringBuilder out, String text) {
    out.append('"');
    int length = text.length();
    int plain = 0;
    while (plain < length && isPlain(text.charAt(plain))) {
      plain++;
    }
    out.append(text, 0, plain);
    for (int i = plain; i < length; i++) {
      char c = text.charAt(i);
      if (isPlain(c)) {
        out.append(c);
        continue;
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        case 0 ->
            throw new InvalidDocument(
                "A string contains the character U+0000, which PostgreSQL's jsonb cannot store.");
        default -> {
          if (Character.isHighSurrogate(c)
              && i + 1 < length
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            throw new InvalidDocument(
                "A string contains a lone UTF-16 surrogate (\\u"
                    + Integer.toHexString(c)
                    + "), which is not Unicode text; I-JSON and RFC 8785 refuse it.");
          } else {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean isPlain(char c) {
    return c >= 0x20
        && c != '"'
        && c != '\\'
        && (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
  }
}
