package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonPatchBuilder;
import jakarta.json.JsonValue;
import java.util.TreeSet;

/**
 * The RFC 6902 JSON Patch that turns one document into another, built with JSON-P's patch builder.
 * Objects are compared member by member here and arrays by JSON-P's own diff (a longest common
 * subsequence), except that JSON-P's diff would need a table of {@code m × n} cells for arrays of m
 * and n elements: past {@value #LCS_CELLS} cells the arrays are compared index by index instead.
 */
public final class DocumentDiff {

  static final long LCS_CELLS = 250_000;

  private final JsonPatchBuilder patch = JsonText.PROVIDER.createPatchBuilder();

  private DocumentDiff() {}

  public static JsonArray between(JsonValue source, JsonValue target) {
    DocumentDiff diff = new DocumentDiff();
    diff.walk("", source, target);
    return diff.patch.build().toJsonArray();
  }

  private void walk(String pointer, JsonValue source, JsonValue target) {
    if (source.equals(target)) {
      return;
    }
    if (source instanceof JsonObject from && target instanceof JsonObject to) {
      TreeSet<String> keys = new TreeSet<>(from.keySet());
      keys.addAll(to.keySet());
      for (String key : keys) {
        String member = pointer + "/" + escape(key);
        if (!to.containsKey(key)) {
          patch.remove(member);
        } else if (!from.containsKey(key)) {
          patch.add(member, to.get(key));
        } else {
          walk(member, from.get(key), to.get(key));
        }
      }
    } else if (source instanceof JsonArray from && target instanceof JsonArray to) {
      if ((long) from.size() * to.size() <= LCS_CELLS) {
        replay(pointer, JsonText.PROVIDER.createDiff(from, to).toJsonArray());
      } else {
        byIndex(pointer, from, to);
      }
    } else {
      patch.replace(pointer, target);
    }
  }

  private void byIndex(String pointer, JsonArray from, JsonArray to) {
    int common = Math.min(from.size(), to.size());
    for (int i = 0; i < common; i++) {
      walk(pointer + "/" + i, from.get(i), to.get(i));
    }
    for (int i = from.size() - 1; i >= common; i--) {
      patch.remove(pointer + "/" + i);
    }
    for (int i = common; i < to.size(); i++) {
      patch.add(pointer + "/-", to.get(i));
    }
  }

  /** Adds the operations JSON-P found for a sub-document, under its pointer. */
  private void replay(String pointer, JsonArray operations) {
    for (JsonObject operation : operations.getValuesAs(JsonObject.class)) {
      String path = pointer + operation.getString("path");
      switch (operation.getString("op")) {
        case "add" -> patch.add(path, operation.get("value"));
        case "remove" -> patch.remove(path);
        case "replace" -> patch.replace(path, operation.get("value"));
        case "move" -> patch.move(path, pointer + operation.getString("from"));
        case "copy" -> patch.copy(path, pointer + operation.getString("from"));
        default -> patch.test(path, operation.get("value"));
      }
    }
  }

  /** RFC 6901: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
