package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.PathNotFound;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads documents at a branch, tag or commit: one path, or the whole snapshot (viewers). */
@ApplicationScoped
public class TreeReader {

  private final Revisions revisions = new Revisions();

  @Inject ConfigAccess access;

  public TreeReader() {}

  public TreeReader(ConfigAccess access) {
    this.access = access;
  }

  /** A document as of a commit: its canonical JSON, and the hash it is stored under. */
  public record DocumentAt(Commit commit, ConfigPath path, ContentHash blob, String canonical) {
    /** The document as a JSON value. */
    public JsonValue document() {
      return JsonText.parse(canonical);
    }
  }

  /** Every document of a commit's snapshot, by path. */
  public record SnapshotAt(Commit commit, Map<ConfigPath, DocumentAt> documents) {}

  public DocumentAt document(Caller caller, long nodeId, String ref, ConfigPath path) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        "read this node's configuration",
        c -> {
          Commit commit = revisions.resolve(c, nodeId, ref);
          Snapshot snapshot = revisions.snapshot(c, commit.snapshot());
          ContentHash blob =
              snapshot
                  .get(path)
                  .orElseThrow(() -> new PathNotFound(path.value(), commit.hash().hex()));
          return new DocumentAt(
              commit, path, blob, revisions.texts(c, List.of(blob), access.pieces()).get(blob));
        });
  }

  public SnapshotAt snapshot(Caller caller, long nodeId, String ref) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        "read this node's configuration",
        c -> {
          Commit commit = revisions.resolve(c, nodeId, ref);
          Snapshot snapshot = revisions.snapshot(c, commit.snapshot());
          Map<ContentHash, String> loaded =
              revisions.texts(c, snapshot.entries().values(), access.pieces());
          Map<ConfigPath, DocumentAt> documents = new LinkedHashMap<>();
          snapshot
              .entries()
              .forEach(
                  (path, blob) ->
                      documents.put(path, new DocumentAt(commit, path, blob, loaded.get(blob))));
          return new SnapshotAt(commit, documents);
        });
  }
}
