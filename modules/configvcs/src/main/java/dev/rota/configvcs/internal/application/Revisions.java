package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.CommitNotFound;
import dev.rota.configvcs.ConfigException.RefNotFound;
import dev.rota.configvcs.ConfigException.RefRefused;
import dev.rota.configvcs.internal.domain.Assembler;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Piece;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.persistence.CommitRepository;
import dev.rota.configvcs.internal.persistence.ObjectRepository;
import dev.rota.configvcs.internal.persistence.RefRepository;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.configvcs.internal.persistence.SnapshotRepository;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one repository inside a transaction: what a ref or hash names, commits, snapshots and
 * documents (reassembled from their pieces and checked against their hashes).
 */
final class Revisions {

  private final RefRepository refs = new RefRepository();
  private final CommitRepository commits = new CommitRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final ObjectRepository objects = new ObjectRepository();

  /** The commit a ref names: 64 hex digits are a commit hash, anything else a branch or tag. */
  Commit resolve(Connection c, long nodeId, String ref) throws SQLException {
    if (ContentHash.looksLikeHash(ref)) {
      return commit(c, nodeId, ContentHash.parse(ref));
    }
    RefName name = RefName.of(ref);
    RefRow row = refs.find(c, nodeId, name.value()).orElseThrow(() -> new RefNotFound(ref));
    return commit(c, nodeId, row.commit());
  }

  Commit commit(Connection c, long nodeId, ContentHash hash) throws SQLException {
    return commits.find(c, nodeId, hash).orElseThrow(() -> new CommitNotFound(hash.hex()));
  }

  /** The branch, which must exist and be a branch (tags never move). */
  RefRow branch(Connection c, long nodeId, RefName name) throws SQLException {
    RefRow ref =
        refs.find(c, nodeId, name.value()).orElseThrow(() -> new RefNotFound(name.value()));
    if (ref.kind() != RefRow.Kind.BRANCH) {
      throw new RefRefused("'" + name + "' is a tag, and tags never move; commit to a branch.");
    }
    return ref;
  }

  Snapshot snapshot(Connection c, ContentHash hash) throws SQLException {
    return snapshots
        .find(c, hash)
        .orElseThrow(() -> new IllegalStateException("snapshot " + hash + " is missing"));
  }

  /** The snapshot of a commit's first parent, or the empty one for a root commit. */
  Snapshot parentSnapshot(Connection c, Commit commit) throws SQLException {
    if (commit.firstParent().isEmpty()) {
      return Snapshot.EMPTY;
    }
    return snapshot(c, commit(c, commit.nodeId(), commit.firstParent().get()).snapshot());
  }

  /**
   * The canonical JSON of the documents stored under the given hashes. Pieces whose text {@code
   * memory} holds are not fetched, nor anything below them; the others are fetched a level of the
   * tree at a time, so a version that differs from one read before in a few pieces costs those few.
   */
  Map<ContentHash, String> texts(
      Connection c, Collection<ContentHash> blobs, Assembler.Memory memory) throws SQLException {
    Map<ContentHash, String> known = new HashMap<>();
    Map<ContentHash, Piece> pieces = new HashMap<>();
    Set<ContentHash> wanted = unknown(blobs, known, pieces, memory);
    while (!wanted.isEmpty()) {
      Map<ContentHash, Piece> fetched = objects.fetch(c, wanted);
      pieces.putAll(fetched);
      List<ContentHash> links = new ArrayList<>();
      fetched.values().forEach(piece -> links.addAll(piece.links()));
      wanted = unknown(links, known, pieces, memory);
    }
    Assembler assembler = new Assembler(pieces, known, memory);
    Map<ContentHash, String> texts = new LinkedHashMap<>();
    for (ContentHash blob : blobs) {
      texts.put(blob, assembler.document(blob));
    }
    return texts;
  }

  /** The hashes neither loaded nor remembered; remembered texts go to {@code known}. */
  private static Set<ContentHash> unknown(
      Collection<ContentHash> hashes,
      Map<ContentHash, String> known,
      Map<ContentHash, Piece> pieces,
      Assembler.Memory memory) {
    Set<ContentHash> unknown = new HashSet<>();
    for (ContentHash hash : hashes) {
      if (known.containsKey(hash) || pieces.containsKey(hash)) {
        continue;
      }
      String text = memory.get(hash);
      if (text != null) {
        known.put(hash, text);
      } else {
        unknown.add(hash);
      }
    }
    return unknown;
  }

  /** The documents stored under the given hashes, as values to patch, compare or merge. */
  Map<ContentHash, JsonValue> documents(
      Connection c, Collection<ContentHash> blobs, Assembler.Memory memory) throws SQLException {
    Map<ContentHash, JsonValue> documents = new LinkedHashMap<>();
    texts(c, blobs, memory).forEach((blob, text) -> documents.put(blob, JsonText.parse(text)));
    return documents;
  }
}
