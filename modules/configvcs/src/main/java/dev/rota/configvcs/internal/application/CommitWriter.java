package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.RefNotFound;
import dev.rota.configvcs.ConfigException.RefRefused;
import dev.rota.configvcs.ConfigException.StaleParent;
import dev.rota.configvcs.internal.domain.Chunker.Chunked;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.Piece;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.persistence.CommitRepository;
import dev.rota.configvcs.internal.persistence.ObjectRepository;
import dev.rota.configvcs.internal.persistence.RefRepository;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.configvcs.internal.persistence.SnapshotRepository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The write half of every commit, in the caller's transaction: stores the pieces not stored yet,
 * the snapshot and the commit, then moves the branch by compare-and-swap from the parent the change
 * was built on. If the branch moved meanwhile, the transaction fails with the branch's current head
 * and nothing of it stays.
 */
final class CommitWriter {

  private final ObjectRepository objects = new ObjectRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final CommitRepository commits = new CommitRepository();
  private final RefRepository refs = new RefRepository();

  /** What a commit is to record. */
  record Draft(
      long nodeId,
      RefName branch,
      ContentHash parent,
      Snapshot snapshot,
      Collection<Chunked> documents,
      String author,
      Long authorPartyId,
      String message) {}

  Commit write(Connection c, Draft draft, Instant at) throws SQLException {
    Map<ContentHash, Piece> pieces = new LinkedHashMap<>();
    for (Chunked document : draft.documents()) {
      document.pieces().forEach(piece -> pieces.putIfAbsent(piece.hash(), piece));
    }
    objects.insertMissing(c, List.copyOf(pieces.values()));
    snapshots.insert(c, draft.snapshot());
    Commit commit =
        Commit.create(
            draft.nodeId(),
            draft.snapshot().hash(),
            List.of(draft.parent()),
            draft.author(),
            draft.authorPartyId(),
            draft.message(),
            at);
    commits.insert(c, commit);
    String branch = draft.branch().value();
    if (refs.move(c, draft.nodeId(), branch, draft.parent(), commit.hash()).isEmpty()) {
      RefRow now = refs.find(c, draft.nodeId(), branch).orElseThrow(() -> new RefNotFound(branch));
      if (now.kind() != RefRow.Kind.BRANCH) {
        throw new RefRefused("'" + branch + "' is a tag, and tags never move; commit to a branch.");
      }
      throw new StaleParent(branch, draft.parent().hex(), now.commit().hex());
    }
    return commit;
  }
}
