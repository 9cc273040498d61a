package dev.rota.tenancy.internal.persistence;

import static dev.rota.platform.NullableParameters.setInt;
import static dev.rota.platform.NullableParameters.setLong;

import dev.rota.tenancy.NodeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tenancy tree in SQL. Reads go through the ltree path and its GiST index; writes set only
 * parent, name, label and quota, and the database's triggers keep every path equal to the parent
 * chain (see V2__tenancy.sql).
 */
public class NodeRepository {

  private static final String INSERT =
      """
      WITH party AS (
        INSERT INTO tenancy.parties (kind)
        SELECT 'group' WHERE ? = 'group'            -- 1 kind: a group of the hierarchy is a party
        RETURNING id)
      INSERT INTO tenancy.nodes AS n (kind, parent_id, name, label, party_id, guaranteed_gpus, gpu_limit)
      VALUES (?::tenancy.node_kind,                 -- 2 kind
              ?,                                    -- 3 parent id, null for a root group
              ?, ?,                                 -- 4 name, 5 its label
              (SELECT id FROM party),
              ?, ?)                                 -- 6 guaranteed GPUs, 7 limit or null
      RETURNING %s
      """
          .formatted(NodeRow.COLUMNS);

  private static final String BY_ID =
      "SELECT " + NodeRow.COLUMNS + " FROM tenancy.nodes n WHERE n.id = ?"; // 1 node id

  private static final String BY_PATH =
      "SELECT " + NodeRow.COLUMNS + " FROM tenancy.nodes n WHERE n.path = ?::ltree"; // 1 path

  /** The subtree below a node, in path order, bounded in depth, after a cursor path. */
  private static final String DESCENDANTS =
      """
      SELECT %s
        FROM tenancy.nodes n, tenancy.nodes top
       WHERE top.id = ?                                    -- 1 the subtree's root
         AND n.path <@ top.path AND n.id <> top.id         -- GiST: descendants only
         AND nlevel(n.path) <= nlevel(top.path) + ?        -- 2 how many levels down
         AND n.path > COALESCE(?::ltree, ''::ltree)        -- 3 cursor: last path returned, or null
       ORDER BY n.path
       LIMIT ?                                             -- 4 page size
      """
          .formatted(NodeRow.COLUMNS);

  /** The ancestors of a node, root first. */
  private static final String ANCESTORS =
      """
      SELECT %s
        FROM tenancy.nodes n, tenancy.nodes leaf
       WHERE leaf.id = ?                                   -- 1 the node
         AND n.path @> leaf.path AND n.id <> leaf.id       -- GiST: ancestors only
       ORDER BY nlevel(n.path)
      """
          .formatted(NodeRow.COLUMNS);

  /** The nodes with a namespace (projects and subprojects) in a subtree, or in the whole tree. */
  private static final String NAMESPACED =
      """
      SELECT %s FROM tenancy.nodes n
       WHERE n.kind <> 'group'
         AND (?::bigint IS NULL                                        -- 1 subtree root, or null
              OR n.path <@ (SELECT path FROM tenancy.nodes WHERE id = ?)) -- 2 the same root
       ORDER BY n.path
      """
          .formatted(NodeRow.COLUMNS);

  private static final String COUNT_DESCENDANTS =
      """
      SELECT count(*) - 1 FROM tenancy.nodes n, tenancy.nodes top
       WHERE top.id = ? AND n.path <@ top.path             -- 1 the subtree's root
      """;

  private static final String RENAME =
      "UPDATE tenancy.nodes AS n SET name = ?, label = ? WHERE n.id = ? RETURNING "
          + NodeRow.COLUMNS; // 1 new name, 2 its label, 3 node

  /** Moves a subtree: the triggers refuse cycles and rewrite every descendant's path. */
  private static final String MOVE =
      "UPDATE tenancy.nodes AS n SET parent_id = ? WHERE n.id = ? RETURNING "
          + NodeRow.COLUMNS; // 1 new parent, 2 node

  private static final String SET_QUOTA =
      "UPDATE tenancy.nodes AS n SET guaranteed_gpus = ?, gpu_limit = ? WHERE n.id = ?"
          + " RETURNING "
          + NodeRow.COLUMNS; // 1 guaranteed GPUs, 2 limit or null, 3 node

  /** Deletes a node and its subtree in one statement; returns what was deleted. */
  private static final String DELETE_SUBTREE =
      """
      DELETE FROM tenancy.nodes n
       USING tenancy.nodes top
       WHERE top.id = ? AND n.path <@ top.path            -- 1 the subtree's root
      RETURNING n.id, n.kind::text
      """;

  public NodeRow insert(
      Connection c,
      NodeKind kind,
      Long parentId,
      String name,
      String label,
      int guaranteed,
      Integer limit)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setString(1, kind.sqlName());
      insert.setString(2, kind.sqlName());
      setLong(insert, 3, parentId);
      insert.setString(4, name);
      insert.setString(5, label);
      insert.setInt(6, guaranteed);
      setInt(insert, 7, limit);
      return single(insert).orElseThrow();
    }
  }

  public Optional<NodeRow> find(Connection c, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_ID)) {
      query.setLong(1, id);
      return single(query);
    }
  }

  public Optional<NodeRow> findByPath(Connection c, String ltreePath) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_PATH)) {
      query.setString(1, ltreePath);
      return single(query);
    }
  }

  public List<NodeRow> descendants(Connection c, long id, int depth, String afterPath, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(DESCENDANTS)) {
      query.setLong(1, id);
      query.setInt(2, depth);
      query.setString(3, afterPath);
      query.setInt(4, limit);
      return list(query);
    }
  }

  public List<NodeRow> ancestors(Connection c, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(ANCESTORS)) {
      query.setLong(1, id);
      return list(query);
    }
  }

  /** Projects and subprojects at or below {@code rootId}, or everywhere when it is null. */
  public List<NodeRow> namespaced(Connection c, Long rootId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(NAMESPACED)) {
      setLong(query, 1, rootId);
      setLong(query, 2, rootId);
      return list(query);
    }
  }

  public long countDescendants(Connection c, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(COUNT_DESCENDANTS)) {
      query.setLong(1, id);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  public Optional<NodeRow> rename(Connection c, long id, String name, String label)
      throws SQLException {
    try (PreparedStatement update = c.prepareStatement(RENAME)) {
      update.setString(1, name);
      update.setString(2, label);
      update.setLong(3, id);
      return single(update);
    }
  }

  public Optional<NodeRow> move(Connection c, long id, long newParentId) throws SQLException {
    try (PreparedStatement update = c.prepareStatement(MOVE)) {
      update.setLong(1, newParentId);
      update.setLong(2, id);
      return single(update);
    }
  }

  public Optional<NodeRow> setQuota(Connection c, long id, int guaranteed, Integer limit)
      throws SQLException {
    try (PreparedStatement update = c.prepareStatement(SET_QUOTA)) {
      update.setInt(1, guaranteed);
      setInt(update, 2, limit);
      update.setLong(3, id);
      return single(update);
    }
  }

  /** Deletes the subtree rooted at {@code id}; returns the ids of deleted nodes with namespaces. */
  public List<Long> deleteSubtree(Connection c, long id) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE_SUBTREE)) {
      delete.setLong(1, id);
      List<Long> withNamespace = new ArrayList<>();
      try (ResultSet rows = delete.executeQuery()) {
        while (rows.next()) {
          if (NodeKind.fromSql(rows.getString(2)).hasNamespace()) {
            withNamespace.add(rows.getLong(1));
          }
        }
      }
      return withNamespace;
    }
  }

  private static Optional<NodeRow> single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      return row.next() ? Optional.of(NodeRow.from(row)) : Optional.empty();
    }
  }

  private static List<NodeRow> list(PreparedStatement statement) throws SQLException {
    List<NodeRow> rows = new ArrayList<>();
    try (ResultSet row = statement.executeQuery()) {
      while (row.next()) {
        rows.add(NodeRow.from(row));
      }
    }
    return rows;
  }
}
