package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.RevertConflict;
import dev.rota.configvcs.ConfigException.StaleParent;
import dev.rota.configvcs.internal.domain.Chunker;
import dev.rota.configvcs.internal.domain.Chunker.Chunked;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.domain.Undo;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Undoes a commit with a new commit on a branch, as {@code git revert} does. A document the branch
 * still holds as the commit left it gets back its earlier version (the same blob); one edited since
 * gets the commit's change undone where the later edits did not touch it ({@link Undo}); otherwise
 * nothing is committed and the conflicting paths are named.
 */
@ApplicationScoped
public class RevertService {

  private final Revisions revisions = new Revisions();
  private final CommitWriter writer = new CommitWriter();
  private final Chunker chunker = new Chunker();

  @Inject ConfigAccess access;
  @Inject CommitService commits;

  public RevertService() {}

  public RevertService(ConfigAccess access, CommitService commits) {
    this.access = access;
    this.commits = commits;
  }

  /** The branch to revert on, the head the caller expects it at, and an optional message. */
  public record RevertRequest(
      ContentHash commit, RefName branch, ContentHash parent, String message) {}

  private record Plan(Snapshot snapshot, List<Chunked> documents, String message) {}

  public Commit revert(Caller caller, long nodeId, RevertRequest request) {
    var role = CommitService.requiredRole(request.branch());
    String what = "commit to " + request.branch();
    Plan plan = access.read(caller, nodeId, role, what, c -> plan(c, nodeId, request));
    CommitWriter.Draft draft =
        new CommitWriter.Draft(
            nodeId,
            request.branch(),
            request.parent(),
            plan.snapshot(),
            plan.documents(),
            caller.name(),
            null,
            plan.message());
    return access.write(
        caller,
        nodeId,
        role,
        what,
        c -> writer.write(c, commits.withAuthor(c, caller, draft), access.clock().instant()));
  }

  private Plan plan(Connection c, long nodeId, RevertRequest request) throws SQLException {
    var head = revisions.branch(c, nodeId, request.branch());
    if (!head.commit().equals(request.parent())) {
      throw new StaleParent(request.branch().value(), request.parent().hex(), head.commit().hex());
    }
    Commit reverted = revisions.commit(c, nodeId, request.commit());
    Snapshot before = revisions.parentSnapshot(c, reverted);
    Snapshot after = revisions.snapshot(c, reverted.snapshot());
    Snapshot current = revisions.snapshot(c, revisions.commit(c, nodeId, head.commit()).snapshot());
    Set<ConfigPath> paths = new TreeSet<>(before.entries().keySet());
    paths.addAll(after.entries().keySet());
    Snapshot next = current;
    List<Chunked> documents = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (ConfigPath path : paths) {
      ContentHash was = before.get(path).orElse(null);
      ContentHash became = after.get(path).orElse(null);
      ContentHash now = current.get(path).orElse(null);
      if (Objects.equals(was, became) || Objects.equals(now, was)) {
        continue; // unchanged by the commit, or already as it was before
      }
      if (Objects.equals(now, became)) {
        next = next.with(path, was);
      } else if (was == null || became == null || now == null) {
        conflicts.add(path.value());
      } else {
        Optional<Chunked> undone = inverse(c, was, became, now);
        if (undone.isEmpty()) {
          conflicts.add(path.value());
        } else {
          documents.add(undone.get());
          next = next.with(path, undone.get().root());
        }
      }
    }
    if (!conflicts.isEmpty()) {
      throw new RevertConflict(reverted.hash().hex(), conflicts);
    }
    String message =
        request.message() != null
            ? request.message()
            : "Revert \""
                + firstLine(reverted.message())
                + "\"\n\nThis reverts commit "
                + reverted.hash().hex()
                + ".";
    return new Plan(next, documents, message);
  }

  /** The current document with the commit's change undone, unless a later edit conflicts. */
  private Optional<Chunked> inverse(
      Connection c, ContentHash was, ContentHash became, ContentHash now) throws SQLException {
    Map<ContentHash, JsonValue> docs =
        revisions.documents(c, new HashSet<>(List.of(was, became, now)), access.pieces());
    return Undo.apply(docs.get(was), docs.get(became), docs.get(now)).map(chunker::split);
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
