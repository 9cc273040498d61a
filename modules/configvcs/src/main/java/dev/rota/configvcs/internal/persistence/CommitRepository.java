package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Commits of a node's repository: inserted once, never changed, read one by one or as a log. */
public class CommitRepository {

  private static final String COLUMNS =
      "c.node_id, c.hash, c.snapshot_hash, c.parents, c.author_name, c.author_party_id, c.message,"
          + " c.committed_at";

  private static final String INSERT =
      """
      INSERT INTO configvcs.commits (node_id, hash, snapshot_hash, parents, author_name,
                                     author_party_id, message, committed_at)
      VALUES (?, ?, ?, ?,                                     -- 1 node, 2 hash, 3 snapshot, 4 parents
              ?, ?, ?, ?)                                     -- 5 author, 6 party or null, 7 message, 8 time
      """;

  private static final String BY_HASH =
      "SELECT "
          + COLUMNS
          + " FROM configvcs.commits c WHERE c.node_id = ? AND c.hash = ?"; // 1 node, 2 hash

  /**
   * The first-parent history from a commit, newest first, optionally only the commits that changed
   * one path (its blob differs from the first parent's). A recursive query yields its rows in the
   * order it finds them (breadth first, which on a first-parent chain is newest first) and
   * evaluates only as many as LIMIT takes, so a page costs its own length, plus the commits a path
   * filter skips.
   */
  private static final String LOG =
      """
      WITH RECURSIVE chain AS (
        SELECT %1$s, s.entries -> ?::text AS blob,            -- 1 path, or null
               (SELECT ps.entries -> ?::text                  -- 2 the same path
                  FROM configvcs.commits p JOIN configvcs.snapshots ps ON ps.hash = p.snapshot_hash
                 WHERE p.node_id = c.node_id AND p.hash = c.parents[1]) AS parent_blob
          FROM configvcs.commits c JOIN configvcs.snapshots s ON s.hash = c.snapshot_hash
         WHERE c.node_id = ? AND c.hash = ?                   -- 3 node, 4 where the log starts
        UNION ALL
        SELECT %1$s, s.entries -> ?::text,                    -- 5 the same path
               (SELECT ps.entries -> ?::text                  -- 6 the same path
                  FROM configvcs.commits p JOIN configvcs.snapshots ps ON ps.hash = p.snapshot_hash
                 WHERE p.node_id = c.node_id AND p.hash = c.parents[1])
          FROM chain
          JOIN configvcs.commits c ON c.node_id = chain.node_id AND c.hash = chain.parents[1]
          JOIN configvcs.snapshots s ON s.hash = c.snapshot_hash)
      SELECT node_id, hash, snapshot_hash, parents, author_name, author_party_id, message, committed_at
        FROM chain
       WHERE ?::text IS NULL OR blob IS DISTINCT FROM parent_blob -- 7 the path, or null for all
       LIMIT ?                                                -- 8 page size
      """
          .formatted(COLUMNS);

  public void insert(Connection c, Commit commit) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setLong(1, commit.nodeId());
      insert.setBytes(2, commit.hash().bytes());
      insert.setBytes(3, commit.snapshot().bytes());
      insert.setArray(4, c.createArrayOf("bytea", ObjectRepository.bytes(commit.parents())));
      insert.setString(5, commit.author());
      if (commit.authorPartyId() == null) {
        insert.setNull(6, Types.BIGINT);
      } else {
        insert.setLong(6, commit.authorPartyId());
      }
      insert.setString(7, commit.message());
      insert.setObject(8, commit.committedAt().atOffset(ZoneOffset.UTC));
      insert.executeUpdate();
    }
  }

  public Optional<Commit> find(Connection c, long nodeId, ContentHash hash) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_HASH)) {
      query.setLong(1, nodeId);
      query.setBytes(2, hash.bytes());
      List<Commit> found = list(query);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  /** Up to {@code limit} commits of the first-parent history from {@code start}, newest first. */
  public List<Commit> log(Connection c, long nodeId, ContentHash start, ConfigPath path, int limit)
      throws SQLException {
    String filter = path == null ? null : path.value();
    try (PreparedStatement query = c.prepareStatement(LOG)) {
      query.setString(1, filter);
      query.setString(2, filter);
      query.setLong(3, nodeId);
      query.setBytes(4, start.bytes());
      query.setString(5, filter);
      query.setString(6, filter);
      query.setString(7, filter);
      query.setInt(8, limit);
      return list(query);
    }
  }

  private static List<Commit> list(PreparedStatement query) throws SQLException {
    List<Commit> commits = new ArrayList<>();
    try (ResultSet row = query.executeQuery()) {
      while (row.next()) {
        long party = row.getLong(6);
        Long authorParty = row.wasNull() ? null : party;
        commits.add(
            new Commit(
                row.getLong(1),
                ContentHash.fromBytes(row.getBytes(2)),
                ContentHash.fromBytes(row.getBytes(3)),
                hashes(row.getArray(4)),
                row.getString(5),
                authorParty,
                row.getString(7),
                row.getObject(8, OffsetDateTime.class).toInstant()));
      }
    }
    return commits;
  }

  private static List<ContentHash> hashes(Array array) throws SQLException {
    List<ContentHash> hashes = new ArrayList<>();
    for (Object bytes : (Object[]) array.getArray()) {
      hashes.add(ContentHash.fromBytes((byte[]) bytes));
    }
    return hashes;
  }
}
