package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.DocumentDiff;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.persistence.CommitRepository;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** A repository's history: the log, single commits, and diffs between commits (viewers). */
@ApplicationScoped
public class HistoryService {

  private static final String READ = "read this node's configuration";

  private final Revisions revisions = new Revisions();
  private final CommitRepository commits = new CommitRepository();

  @Inject ConfigAccess access;

  public HistoryService() {}

  public HistoryService(ConfigAccess access) {
    this.access = access;
  }

  /** How one document differs between two commits. */
  public record PathDiff(
      ConfigPath path, String change, ContentHash before, ContentHash after, JsonArray patch) {}

  /** Every document that differs; {@code from} is null when diffing against nothing (a root). */
  public record Diff(Commit from, Commit to, List<PathDiff> paths) {}

  /**
   * Up to {@code limit} commits of the first-parent history of {@code ref}, newest first, from
   * {@code start} when continuing a page; with a path, only the commits that changed it.
   */
  public List<Commit> log(
      Caller caller, long nodeId, String ref, ContentHash start, ConfigPath path, int limit) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        READ,
        c -> {
          ContentHash from = start != null ? start : revisions.resolve(c, nodeId, ref).hash();
          return commits.log(c, nodeId, from, path, limit);
        });
  }

  public Commit commit(Caller caller, long nodeId, String ref) {
    return access.read(caller, nodeId, Role.VIEWER, READ, c -> revisions.resolve(c, nodeId, ref));
  }

  /**
   * The diff from {@code fromRef} (by default the first parent of {@code toRef}) to {@code toRef}.
   */
  public Diff diff(Caller caller, long nodeId, String fromRef, String toRef, ConfigPath only) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        READ,
        c -> {
          Commit to = revisions.resolve(c, nodeId, toRef);
          Commit from =
              fromRef != null
                  ? revisions.resolve(c, nodeId, fromRef)
                  : to.firstParent().isPresent()
                      ? revisions.commit(c, nodeId, to.firstParent().get())
                      : null;
          Snapshot before = from == null ? Snapshot.EMPTY : revisions.snapshot(c, from.snapshot());
          Snapshot after = revisions.snapshot(c, to.snapshot());
          return new Diff(from, to, paths(c, before, after, only));
        });
  }

  private List<PathDiff> paths(Connection c, Snapshot before, Snapshot after, ConfigPath only)
      throws SQLException {
    Set<ConfigPath> paths = new TreeSet<>(before.entries().keySet());
    paths.addAll(after.entries().keySet());
    paths.removeIf(
        path ->
            Objects.equals(before.get(path), after.get(path))
                || only != null && !only.equals(path));
    Set<ContentHash> blobs = new HashSet<>();
    paths.forEach(
        path -> {
          before.get(path).ifPresent(blobs::add);
          after.get(path).ifPresent(blobs::add);
        });
    Map<ContentHash, JsonValue> documents = revisions.documents(c, blobs, access.pieces());
    List<PathDiff> diffs = new ArrayList<>();
    for (ConfigPath path : paths) {
      ContentHash was = before.get(path).orElse(null);
      ContentHash is = after.get(path).orElse(null);
      if (was == null) {
        diffs.add(
            new PathDiff(
                path,
                "added",
                null,
                is,
                JsonText.PROVIDER
                    .createPatchBuilder()
                    .add("", documents.get(is))
                    .build()
                    .toJsonArray()));
      } else if (is == null) {
        diffs.add(
            new PathDiff(
                path,
                "removed",
                was,
                null,
                JsonText.PROVIDER.createPatchBuilder().remove("").build().toJsonArray()));
      } else {
        diffs.add(
            new PathDiff(
                path,
                "modified",
                was,
                is,
                DocumentDiff.between(documents.get(was), documents.get(is))));
      }
    }
    return diffs;
  }
}
