package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonPointer;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * Undoes one change to a document on a later version of it: the inverse JSON Patch of the change
 * ({@code after} back to {@code before}), applied to {@code current} one operation at a time, and
 * only where {@code current} still holds what the change left. Where it holds something else (a
 * later edit), undoing would silently lose that edit: there is no result, a conflict.
 */
public final class Undo {

  private Undo() {}

  public static Optional<JsonValue> apply(JsonValue before, JsonValue after, JsonValue current) {
    JsonValue expected = after;
    JsonValue result = current;
    for (JsonObject operation : DocumentDiff.between(after, before).getValuesAs(JsonObject.class)) {
      String path = operation.getString("path");
      if (!valueAt(expected, path).equals(valueAt(result, path))) {
        return Optional.empty();
      }
      try {
        JsonArray one = JsonText.PROVIDER.createArrayBuilder().add(operation).build();
        expected = applyOne(one, expected);
        result = applyOne(one, result);
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    return Optional.of(result);
  }

  private static JsonValue applyOne(JsonArray operation, JsonValue target) {
    if (operation.getJsonObject(0).getString("path").isEmpty()) {
      return operation.getJsonObject(0).get("value"); // replaces the whole document
    }
    return JsonText.PROVIDER.createPatch(operation).apply((JsonStructure) target);
  }

  /** The value at a pointer, or empty; an array's "-" (past the end) holds nothing. */
  private static Optional<JsonValue> valueAt(JsonValue document, String path) {
    if (path.isEmpty()) {
      return Optional.of(document);
    }
    if (!(document instanceof JsonStructure structure) || path.endsWith("/-")) {
      return Optional.empty();
    }
    try {
      JsonPointer pointer = JsonText.PROVIDER.createPointer(path);
      return pointer.containsValue(structure)
          ? Optional.of(pointer.getValue(structure))
          : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
