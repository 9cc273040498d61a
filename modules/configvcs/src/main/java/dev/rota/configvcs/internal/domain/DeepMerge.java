package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective value of one document down the tenancy tree: the layers (the document at the root's
 * main head first, then each descendant's down to the node) merged deeply, as RFC 7386 merges a
 * patch: objects merge member by member, anything else in a later layer replaces what came before,
 * and a {@code null} removes the inherited member (as Helm's values do). Alongside the value it
 * says, for every leaf (each JSON Pointer to a value that is not a non-empty object), the node it
 * came from.
 */
public final class DeepMerge {

  /** One node's version of the document. */
  public record Layer(long nodeId, JsonValue document) {}

  /** The merged document and, per JSON Pointer of each leaf, the node it came from. */
  public record Result(JsonValue value, Map<String, Long> origins) {}

  private DeepMerge() {}

  public static Result merge(List<Layer> layers) {
    Node merged = null;
    for (Layer layer : layers) {
      merged = merge(merged, layer.document(), layer.nodeId());
    }
    Map<String, Long> origins = new TreeMap<>();
    JsonValue value = merged == null ? JsonValue.NULL : merged.emit("", origins);
    return new Result(value, origins);
  }

  private static Node merge(Node base, JsonValue overlay, long origin) {
    if (!(overlay instanceof JsonObject object)) {
      return new Node(overlay, null, origin);
    }
    Node target =
        base != null && base.members != null ? base : new Node(null, new LinkedHashMap<>(), origin);
    target.origin = origin;
    object.forEach(
        (key, value) -> {
          if (value.getValueType() == JsonValue.ValueType.NULL) {
            target.members.remove(key);
          } else {
            target.members.put(key, merge(target.members.get(key), value, origin));
          }
        });
    return target;
  }

  /** A merged value: a leaf, or an object whose members are merged values. */
  private static final class Node {
    final JsonValue leaf;
    final Map<String, Node> members;
    long origin;

    Node(JsonValue leaf, Map<String, Node> members, long origin) {
      this.leaf = leaf;
      this.members = members;
      this.origin = origin;
    }

    JsonValue emit(String pointer, Map<String, Long> origins) {
      if (members == null || members.isEmpty()) {
        origins.put(pointer, origin);
        return members == null ? leaf : JsonValue.EMPTY_JSON_OBJECT;
      }
      JsonObjectBuilder object = JsonText.PROVIDER.createObjectBuilder();
      members.forEach(
          (key, member) ->
              object.add(key, member.emit(pointer + "/" + DocumentDiff.escape(key), origins)));
      return object.build();
    }
  }
}
