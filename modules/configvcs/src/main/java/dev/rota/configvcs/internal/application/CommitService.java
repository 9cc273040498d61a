package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.StaleParent;
import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Chunker;
import dev.rota.configvcs.internal.domain.Chunker.Chunked;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Parties;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Commits changes to a branch. The parent's documents are read in one transaction, the changes
 * applied and the new documents split into pieces outside any, and everything is written in a
 * second transaction that moves the branch only if it is still at the parent (compare-and-swap).
 * Members commit to branches, admins also to {@code main}.
 */
@ApplicationScoped
public class CommitService {

  private final Revisions revisions = new Revisions();
  private final CommitWriter writer = new CommitWriter();
  private final Chunker chunker = new Chunker();

  @Inject ConfigAccess access;
  @Inject Parties parties;

  public CommitService() {}

  public CommitService(ConfigAccess access, Parties parties) {
    this.access = access;
    this.parties = parties;
  }

  /** What to commit: changes applied in order to the documents of {@code parent}. */
  public record CommitRequest(
      RefName branch, ContentHash parent, String message, List<Change> changes) {}

  /** The parent's snapshot and the documents the changes read. */
  private record Base(Snapshot snapshot, Map<ConfigPath, JsonValue> documents) {}

  public Commit commit(Caller caller, long nodeId, CommitRequest request) {
    Role role = requiredRole(request.branch());
    String what = "commit to " + request.branch();
    Base base = access.read(caller, nodeId, role, what, c -> base(c, nodeId, request));
    Map<ConfigPath, Optional<JsonValue>> changed = new LinkedHashMap<>();
    for (Change change : request.changes()) {
      Optional<JsonValue> current =
          changed.containsKey(change.path())
              ? changed.get(change.path())
              : Optional.ofNullable(base.documents().get(change.path()));
      changed.put(change.path(), change.apply(current));
    }
    Snapshot snapshot = base.snapshot();
    List<Chunked> documents = new ArrayList<>();
    for (Map.Entry<ConfigPath, Optional<JsonValue>> entry : changed.entrySet()) {
      Chunked chunked = entry.getValue().map(chunker::split).orElse(null);
      snapshot = snapshot.with(entry.getKey(), chunked == null ? null : chunked.root());
      if (chunked != null) {
        documents.add(chunked);
      }
    }
    CommitWriter.Draft draft =
        new CommitWriter.Draft(
            nodeId,
            request.branch(),
            request.parent(),
            snapshot,
            documents,
            caller.name(),
            null,
            request.message());
    return access.write(
        caller,
        nodeId,
        role,
        what,
        c -> writer.write(c, withAuthor(c, caller, draft), access.clock().instant()));
  }

  /** Members commit to branches; {@code main} takes an admin. */
  static Role requiredRole(RefName branch) {
    return branch.isMain() ? Role.ADMIN : Role.MEMBER;
  }

  private Base base(Connection c, long nodeId, CommitRequest request) throws SQLException {
    RefRow branch = revisions.branch(c, nodeId, request.branch());
    if (!branch.commit().equals(request.parent())) {
      throw new StaleParent(
          request.branch().value(), request.parent().hex(), branch.commit().hex());
    }
    Snapshot snapshot =
        revisions.snapshot(c, revisions.commit(c, nodeId, request.parent()).snapshot());
    Map<ConfigPath, ContentHash> read = new HashMap<>();
    for (Change change : request.changes()) {
      if (change.readsCurrent()) {
        snapshot.get(change.path()).ifPresent(blob -> read.put(change.path(), blob));
      }
    }
    Map<ContentHash, JsonValue> loaded = revisions.documents(c, read.values(), access.pieces());
    Map<ConfigPath, JsonValue> documents = new HashMap<>();
    read.forEach((path, blob) -> documents.put(path, loaded.get(blob)));
    return new Base(snapshot, documents);
  }

  CommitWriter.Draft withAuthor(Connection c, Caller caller, CommitWriter.Draft draft) {
    Long party = parties.user(c, caller.name()).map(Parties.Party::id).orElse(null);
    return new CommitWriter.Draft(
        draft.nodeId(),
        draft.branch(),
        draft.parent(),
        draft.snapshot(),
        draft.documents(),
        draft.author(),
        party,
        draft.message());
  }
}
