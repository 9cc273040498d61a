package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.ConfigException.InvalidChange;
import dev.rota.configvcs.internal.application.EffectiveConfigService.Effective;
import dev.rota.configvcs.internal.application.HistoryService.Diff;
import dev.rota.configvcs.internal.application.TreeReader.SnapshotAt;
import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRow;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Wire records of the configuration endpoints; hashes are 64 lower-case hex digits. */
public final class ConfigWire {

  static final String HASH = "[0-9a-f]{64}";

  static final String HASH_RULE = "must be a commit hash (64 hex digits)";

  /**
   * A branch or tag name, or a commit hash (64 hex digits fit the same pattern). Stated in the
   * contract only: {@link RefName} and {@link ContentHash} enforce it, more strictly, with 400
   * {@code invalid-reference}.
   */
  static final String REF = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";

  static final int MAX_REF = 100;

  /** A document path: 1 to 8 segments joined by /, as {@link ConfigPath} enforces it. */
  static final String PATH =
      "[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){0,7}";

  /** Most operations one JSON Patch may hold. */
  static final int MAX_PATCH_OPERATIONS = 1000;

  private ConfigWire() {}

  /**
   * A commit: changes applied in order to the documents of {@code parent}, which must be the
   * branch's head when the commit lands (compare-and-swap), else 409 with the current head.
   */
  public record CommitRequest(
      @NotBlank @Size(max = MAX_REF) @Schema(pattern = REF, description = "The branch to commit to")
          String branch,
      @NotNull
          @Size(max = 64)
          @Pattern(regexp = HASH, message = HASH_RULE)
          @Schema(description = "The branch's head the changes were made on (compare-and-swap)")
          String parent,
      @NotBlank @Size(max = 10_000) @Schema(description = "Why; any text") String message,
      @NotNull @Size(min = 1, max = 100) List<@NotNull @Valid ChangeRequest> changes) {}

  /**
   * One document's change: exactly one of {@code document}, {@code mergePatch}, {@code jsonPatch},
   * {@code delete}.
   */
  public record ChangeRequest(
      @NotBlank
          @Size(max = ConfigPath.MAX_LENGTH)
          @Schema(
              pattern = PATH,
              description = "The document's path, e.g. quotas or images/default")
          String path,
      @Schema(description = "The whole new document") JsonValue document,
      @Schema(description = "An RFC 7386 JSON Merge Patch") JsonValue mergePatch,
      @Size(max = MAX_PATCH_OPERATIONS)
          @Schema(
              description =
                  "An RFC 6902 JSON Patch: operations such as {\"op\": \"replace\", \"path\":"
                      + " \"/gpus\", \"value\": 8}",
              type = SchemaType.ARRAY,
              implementation = JsonObject.class,
              maxItems = MAX_PATCH_OPERATIONS)
          JsonArray jsonPatch,
      @Schema(description = "true to delete the document") Boolean delete) {

    Change toChange() {
      ConfigPath where = ConfigPath.of(path);
      boolean deletes = Boolean.TRUE.equals(delete);
      long given =
          Stream.of(present(document), present(mergePatch), jsonPatch != null, deletes)
              .filter(Boolean::booleanValue)
              .count();
      if (given != 1) {
        throw new InvalidChange(
            "The change of '"
                + path
                + "' must give exactly one of document,"
                + " mergePatch, jsonPatch and delete: true (a document is never null; delete it instead).");
      }
      if (present(document)) {
        return new Change.Put(where, document);
      }
      if (present(mergePatch)) {
        return new Change.MergePatch(where, mergePatch);
      }
      return jsonPatch != null ? new Change.JsonPatch(where, jsonPatch) : new Change.Delete(where);
    }

    private static boolean present(JsonValue value) {
      return value != null && value.getValueType() != JsonValue.ValueType.NULL;
    }
  }

  /** Reverts a commit on a branch whose head must be {@code parent}. */
  public record RevertRequest(
      @NotBlank
          @Size(max = MAX_REF)
          @Schema(pattern = REF, description = "The branch to commit the revert to")
          String branch,
      @NotNull
          @Size(max = 64)
          @Pattern(regexp = HASH, message = HASH_RULE)
          @Schema(description = "The branch's head (compare-and-swap)")
          String parent,
      @Size(min = 1, max = 10_000) @Schema(description = "Why; by default `Revert <hash>`")
          String message) {}

  /** A new branch or tag at the commit {@code target} names (a branch, tag or hash). */
  public record CreateRef(
      @NotBlank
          @Size(max = MAX_REF)
          @Schema(pattern = REF, description = "The new branch's or tag's name (not 64 hex digits)")
          String name,
      @NotNull
          @Pattern(regexp = "branch|tag", message = "must be branch or tag")
          @Schema(enumeration = {"branch", "tag"})
          String kind,
      @NotBlank
          @Size(max = MAX_REF)
          @Schema(pattern = REF, description = "The branch, tag or commit hash it starts at")
          String target) {}

  public record CommitView(
      String hash,
      List<String> parents,
      String snapshot,
      String author,
      Long authorPartyId,
      String message,
      OffsetDateTime committedAt) {

    static CommitView of(Commit commit) {
      return new CommitView(
          commit.hash().hex(),
          commit.parents().stream().map(ContentHash::hex).toList(),
          commit.snapshot().hex(),
          commit.author(),
          commit.authorPartyId(),
          commit.message(),
          commit.committedAt().atOffset(ZoneOffset.UTC));
    }
  }

  /** A branch or tag; {@code protectedBranch} is true for main, which cannot be deleted. */
  public record RefView(
      String name,
      String kind,
      String commit,
      boolean protectedBranch,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt) {

    static RefView of(RefRow ref) {
      return new RefView(
          ref.name(),
          ref.kind().sqlName(),
          ref.commit().hex(),
          ref.name().equals("main"),
          ref.createdAt(),
          ref.updatedAt());
    }
  }

  /** Every document of a commit; {@code blobs} gives each document's hash. */
  public record SnapshotView(
      String commit, Map<String, String> blobs, Map<String, JsonValue> documents) {

    static SnapshotView of(SnapshotAt snapshot) {
      Map<String, String> blobs = new LinkedHashMap<>();
      Map<String, JsonValue> documents = new LinkedHashMap<>();
      snapshot
          .documents()
          .forEach(
              (path, document) -> {
                blobs.put(path.value(), document.blob().hex());
                documents.put(path.value(), document.document());
              });
      return new SnapshotView(snapshot.commit().hash().hex(), blobs, documents);
    }
  }

  /**
   * How one document differs: {@code change} is added, removed or modified; {@code patch} is RFC
   * 6902.
   */
  public record PathDiffView(
      String path,
      @Schema(enumeration = {"added", "removed", "modified"}) String change,
      String before,
      String after,
      @Schema(
              description = "The RFC 6902 JSON Patch from before to after",
              type = SchemaType.ARRAY,
              implementation = JsonObject.class)
          JsonArray patch) {}

  /** {@code from} is null when {@code to} is a root commit. */
  public record DiffView(String from, String to, List<PathDiffView> changes) {

    static DiffView of(Diff diff) {
      return new DiffView(
          diff.from() == null ? null : diff.from().hash().hex(),
          diff.to().hash().hex(),
          diff.paths().stream()
              .map(
                  p ->
                      new PathDiffView(
                          p.path().value(),
                          p.change(),
                          p.before() == null ? null : p.before().hex(),
                          p.after() == null ? null : p.after().hex(),
                          p.patch()))
              .toList());
    }
  }

  /**
   * A node whose main head takes part in the merge; {@code commit} is null if it has no
   * configuration.
   */
  public record LayerView(long nodeId, String path, String commit) {}

  /**
   * A node's effective configuration: per document path, the merged document, and per JSON Pointer
   * of each leaf, the id of the node it came from.
   */
  public record EffectiveView(
      long nodeId,
      List<LayerView> layers,
      Map<String, JsonValue> documents,
      Map<String, Map<String, Long>> origins) {

    static EffectiveView of(Effective effective) {
      Map<String, JsonValue> documents = new LinkedHashMap<>();
      Map<String, Map<String, Long>> origins = new LinkedHashMap<>();
      effective
          .documents()
          .forEach(
              (path, merged) -> {
                documents.put(path.value(), merged.value());
                origins.put(path.value(), merged.origins());
              });
      return new EffectiveView(
          effective.nodeId(),
          effective.layers().stream()
              .map(
                  l ->
                      new LayerView(
                          l.nodeId(),
                          l.path().replace('.', '/'),
                          l.head() == null ? null : l.head().hex()))
              .toList(),
          documents,
          origins);
    }
  }
}
