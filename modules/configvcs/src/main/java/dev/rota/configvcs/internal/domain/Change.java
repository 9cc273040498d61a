package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.PatchFailed;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * One change a commit makes to one document: the whole new document, an RFC 7386 JSON Merge Patch,
 * an RFC 6902 JSON Patch (both applied by JSON-P; a patch's tests and array indices as strictly as
 * the RFCs say, see {@link StrictJsonPatch}), or a deletion. A change yields the new document, or
 * nothing when the path is to hold no document any more.
 */
public sealed interface Change {

  ConfigPath path();

  /** The document after the change; {@code current} is empty when the path has no document. */
  Optional<JsonValue> apply(Optional<JsonValue> current);

  /** Whether the change needs the current document (a patch) or replaces it whatever it is. */
  default boolean readsCurrent() {
    return true;
  }

  /** Replaces (or creates) the document. */
  record Put(ConfigPath path, JsonValue document) implements Change {
    @Override
    public Optional<JsonValue> apply(Optional<JsonValue> current) {
      return Optional.of(document);
    }

    @Override
    public boolean readsCurrent() {
      return false;
    }
  }

  /** Removes the document. */
  record Delete(ConfigPath path) implements Change {
    @Override
    public Optional<JsonValue> apply(Optional<JsonValue> current) {
      if (current.isEmpty()) {
        throw new PatchFailed(path.value(), "there is no document there to delete.");
      }
      return Optional.empty();
    }
  }

  /** RFC 7386: a missing document is patched as {}; a patch yielding null deletes it. */
  record MergePatch(ConfigPath path, JsonValue patch) implements Change {
    @Override
    public Optional<JsonValue> apply(Optional<JsonValue> current) {
      JsonValue result;
      try {
        result = JsonText.PROVIDER.createMergePatch(patch).apply(current.orElse(JsonValue.NULL));
      } catch (RuntimeException e) {
        throw new PatchFailed(path.value(), String.valueOf(e.getMessage()));
      }
      return result.getValueType() == JsonValue.ValueType.NULL
          ? Optional.empty()
          : Optional.of(result);
    }
  }

  /** RFC 6902, applied to the current document, which must exist and be an object or array. */
  record JsonPatch(ConfigPath path, JsonArray operations) implements Change {
    @Override
    public Optional<JsonValue> apply(Optional<JsonValue> current) {
      if (current.isEmpty() || !(current.get() instanceof JsonStructure target)) {
        throw new PatchFailed(
            path.value(),
            current.isEmpty()
                ? "there is no document there; send the whole document instead."
                : "a JSON Patch applies to an object or array, and the document is neither.");
      }
      try {
        return Optional.of(StrictJsonPatch.apply(target, operations));
      } catch (RuntimeException e) {
        // JSON-P reports a failed test, a missing target and a malformed operation alike.
        throw new PatchFailed(path.value(), String.valueOf(e.getMessage()));
      }
    }
  }
}
