package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonPointer;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.util.regex.Pattern;

/**
 * RFC 6902 JSON Patch applied one operation at a time through JSON-P, exact where JSON-P is
 * lenient: a {@code test} compares as RFC 6902 §4.6 says (numbers by value, so {@code 1} equals
 * {@code 1.0}; objects regardless of member order), and an array index in a pointer is {@code 0} or
 * digits without a leading zero (RFC 6901 §4), so {@code /arr/01} is refused rather than read as
 * index 1. A failure throws {@link JsonException} saying which operation and why.
 */
public final class StrictJsonPatch {

  private static final Pattern ARRAY_INDEX = Pattern.compile("0|[1-9][0-9]{0,9}");

  private StrictJsonPatch() {}

  public static JsonStructure apply(JsonStructure target, JsonArray operations) {
    JsonStructure document = target;
    for (int i = 0; i < operations.size(); i++) {
      if (!(operations.get(i) instanceof JsonObject operation)) {
        throw new JsonException("operation " + i + " is not a JSON object.");
      }
      checkArrayIndices(document, operation, "path", i);
      checkArrayIndices(document, operation, "from", i);
      if ("test".equals(operation.getString("op", null))) {
        test(document, operation, i);
      } else {
        JsonArray single = JsonText.PROVIDER.createArrayBuilder().add(operation).build();
        document = JsonText.PROVIDER.createPatch(single).apply(document);
      }
    }
    return document;
  }

  /** RFC 6902 §4.6: the value at {@code path} must equal {@code value}, numbers by value. */
  private static void test(JsonStructure document, JsonObject operation, int index) {
    if (!(operation.get("path") instanceof JsonString path) || !operation.containsKey("value")) {
      throw new JsonException("operation " + index + " (test) needs a string path and a value.");
    }
    JsonPointer pointer = JsonText.PROVIDER.createPointer(path.getString());
    if (!pointer.containsValue(document)) {
      throw new JsonException(
          "operation " + index + " (test) failed: there is no value at " + path.getString() + ".");
    }
    if (!equal(pointer.getValue(document), operation.get("value"))) {
      throw new JsonException(
          "operation "
              + index
              + " (test) failed: the value at "
              + path.getString()
              + " is not equal to the given value.");
    }
  }

  /** Equality as RFC 6902 §4.6 defines it for {@code test}. */
  public static boolean equal(JsonValue a, JsonValue b) {
    if (a.getValueType() != b.getValueType()) {
      return false;
    }
    switch (a.getValueType()) {
      case NUMBER -> {
        return ((JsonNumber) a).bigDecimalValue().compareTo(((JsonNumber) b).bigDecimalValue())
            == 0;
      }
      case STRING -> {
        return ((JsonString) a).getString().equals(((JsonString) b).getString());
      }
      case ARRAY -> {
        JsonArray x = (JsonArray) a;
        JsonArray y = (JsonArray) b;
        if (x.size() != y.size()) {
          return false;
        }
        for (int i = 0; i < x.size(); i++) {
          if (!equal(x.get(i), y.get(i))) {
            return false;
          }
        }
        return true;
      }
      case OBJECT -> {
        JsonObject x = (JsonObject) a;
        JsonObject y = (JsonObject) b;
        return x.keySet().equals(y.keySet())
            && x.keySet().stream().allMatch(key -> equal(x.get(key), y.get(key)));
      }
      default -> {
        return true; // true, false and null: the same type is the same value
      }
    }
  }

  /**
   * Walks the pointer in {@code member} through the document as far as it exists, refusing a token
   * that addresses an array with anything but {@code 0}, digits without a leading zero, or {@code
   * -}.
   */
  private static void checkArrayIndices(
      JsonStructure document, JsonObject operation, String member, int index) {
    if (!(operation.get(member) instanceof JsonString text) || !text.getString().startsWith("/")) {
      return; // absent, or malformed in a way JSON-P reports itself
    }
    String pointer = text.getString();
    JsonValue node = document;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonArray array) {
        if (token.equals("-")) {
          return;
        }
        if (!ARRAY_INDEX.matcher(token).matches()) {
          throw new JsonException(
              "operation "
                  + index
                  + ": '"
                  + token
                  + "' in "
                  + pointer
                  + " is not an array index; RFC 6901 indices are 0 or digits without a"
                  + " leading zero.");
        }
        long position = Long.parseLong(token);
        if (position >= array.size()) {
          return;
        }
        node = array.get((int) position);
      } else if (node instanceof JsonObject object && object.containsKey(token)) {
        node = object.get(token);
      } else {
        return;
      }
    }
  }
}
