package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.ContentHash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Repositories and their refs. A branch moves only by compare-and-swap: {@link #move} changes it
 * only if it still names the commit the caller built on, so of racing committers on one parent
 * exactly one wins (the others wait for its row lock, then find the old commit gone).
 */
public class RefRepository {

  private static final String COLUMNS =
      "r.name, r.kind::text, r.commit_hash, r.created_at, r.updated_at";

  /** Returns a row only for the transaction that created the repository. */
  private static final String CREATE_REPOSITORY =
      """
      INSERT INTO configvcs.repositories (node_id) VALUES (?)   -- 1 node
      ON CONFLICT (node_id) DO NOTHING
      RETURNING node_id
      """;

  private static final String REPOSITORY_EXISTS =
      "SELECT 1 FROM configvcs.repositories WHERE node_id = ?"; // 1 node

  private static final String INSERT =
      """
      INSERT INTO configvcs.refs AS r (node_id, name, kind, commit_hash)
      VALUES (?, ?, ?::configvcs.ref_kind, ?)                 -- 1 node, 2 name, 3 kind, 4 commit
      RETURNING %s
      """
          .formatted(COLUMNS);

  private static final String BY_NAME =
      "SELECT "
          + COLUMNS
          + " FROM configvcs.refs r WHERE r.node_id = ? AND r.name = ?"; // 1 node, 2 name

  /** Refs in byte order of their names, after a cursor. */
  private static final String PAGE =
      """
      SELECT %s FROM configvcs.refs r
       WHERE r.node_id = ?                                    -- 1 node
         AND r.name COLLATE "C" > COALESCE(?, '')             -- 2 cursor: last name, or null
       ORDER BY r.name COLLATE "C"
       LIMIT ?                                                -- 3 page size
      """
          .formatted(COLUMNS);

  /** The compare-and-swap: 0 rows when the branch no longer names the expected commit. */
  private static final String MOVE =
      """
      UPDATE configvcs.refs AS r SET commit_hash = ?          -- 1 the new commit
       WHERE r.node_id = ? AND r.name = ?                     -- 2 node, 3 branch
         AND r.kind = 'branch'
         AND r.commit_hash = ?                                -- 4 the commit the caller built on
      RETURNING %s
      """
          .formatted(COLUMNS);

  private static final String DELETE =
      "DELETE FROM configvcs.refs AS r WHERE r.node_id = ? AND r.name = ? RETURNING " // 1 node, 2
          // name
          + COLUMNS;

  /** Creates the node's repository unless it exists; true for the caller that created it. */
  public boolean createRepository(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(CREATE_REPOSITORY)) {
      insert.setLong(1, nodeId);
      try (ResultSet row = insert.executeQuery()) {
        return row.next();
      }
    }
  }

  public boolean repositoryExists(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(REPOSITORY_EXISTS)) {
      query.setLong(1, nodeId);
      try (ResultSet row = query.executeQuery()) {
        return row.next();
      }
    }
  }

  public RefRow insert(Connection c, long nodeId, String name, RefRow.Kind kind, ContentHash commit)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setLong(1, nodeId);
      insert.setString(2, name);
      insert.setString(3, kind.sqlName());
      insert.setBytes(4, commit.bytes());
      return single(insert).orElseThrow();
    }
  }

  public Optional<RefRow> find(Connection c, long nodeId, String name) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_NAME)) {
      query.setLong(1, nodeId);
      query.setString(2, name);
      return single(query);
    }
  }

  public List<RefRow> page(Connection c, long nodeId, String afterName, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      query.setLong(1, nodeId);
      query.setString(2, afterName);
      query.setInt(3, limit);
      List<RefRow> refs = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          refs.add(from(row));
        }
      }
      return refs;
    }
  }

  /**
   * Moves the branch from {@code expected} to {@code next}; empty if it was not at {@code
   * expected}.
   */
  public Optional<RefRow> move(
      Connection c, long nodeId, String branch, ContentHash expected, ContentHash next)
      throws SQLException {
    try (PreparedStatement update = c.prepareStatement(MOVE)) {
      update.setBytes(1, next.bytes());
      update.setLong(2, nodeId);
      update.setString(3, branch);
      update.setBytes(4, expected.bytes());
      return single(update);
    }
  }

  public Optional<RefRow> delete(Connection c, long nodeId, String name) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, nodeId);
      delete.setString(2, name);
      return single(delete);
    }
  }

  private static Optional<RefRow> single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      return row.next() ? Optional.of(from(row)) : Optional.empty();
    }
  }

  private static RefRow from(ResultSet row) throws SQLException {
    return new RefRow(
        row.getString(1),
        RefRow.Kind.fromSql(row.getString(2)),
        ContentHash.fromBytes(row.getBytes(3)),
        row.getObject(4, OffsetDateTime.class),
        row.getObject(5, OffsetDateTime.class));
  }
}
