package dev.rota.storage.internal.persistence;

import dev.rota.platform.NullableParameters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Volumes, their attachments and the pools' allowed roots. Ownership, path, overlap and attachment
 * rules are the database's (V4__storage.sql, V10__storage_no_nesting_and_limits.sql,
 * V10_1__storage_attachments_follow_access.sql); this class only states what is wanted.
 */
public class VolumeRepository {

  private static final String INSERT =
      """
      INSERT INTO storage.volumes AS v (name, owner_party_id, pool, pool_root, host_path,
                                        capacity_bytes, access_mode, node_affinity, node_names)
      SELECT ?, ?, r.pool, r.root, ?, ?, ?, ?::jsonb, ?      -- 1 name, 2 owner party, 3 host path,
        FROM storage.pool_roots r                            -- 4 bytes, 5 access mode, 6 selector,
       WHERE r.pool = ?                                      -- 7 node names, 8 pool
      RETURNING v.id
      """;

  private static final String BY_ID =
      "SELECT " + VolumeRow.COLUMNS + " FROM " + VolumeRow.FROM + " WHERE v.id = ?"; // 1 volume

  /** Volumes owned by any of the given parties, by id after a cursor. */
  private static final String OWNED_BY =
      """
      SELECT %s FROM %s
       WHERE v.owner_party_id = ANY (?)                      -- 1 owner parties
         AND v.id > COALESCE(?, 0)                           -- 2 cursor: last id, or null
       ORDER BY v.id LIMIT ?                                 -- 3 page size
      """
          .formatted(VolumeRow.COLUMNS, VolumeRow.FROM);

  /**
   * Volumes usable at a tenancy node: those of the given user, and those of every group whose
   * subtree holds the node (ltree, GiST).
   */
  private static final String AVAILABLE_AT =
      """
      SELECT %s FROM %s
       WHERE v.owner_party_id = ?                            -- 1 the user's party
          OR v.owner_party_id IN (
               SELECT g.party_id FROM tenancy.nodes g
                WHERE g.kind = 'group'
                  AND g.path @> (SELECT path FROM tenancy.nodes WHERE id = ?)) -- 2 the node
       ORDER BY v.id
      """
          .formatted(VolumeRow.COLUMNS, VolumeRow.FROM);

  /** Volumes whose selector names the node by hostname, answered by the GIN index. */
  static final String ON_NODE =
      """
      SELECT %s FROM %s
       WHERE v.node_affinity @> jsonb_build_object('nodeSelectorTerms', jsonb_build_array(
               jsonb_build_object('matchExpressions', jsonb_build_array(jsonb_build_object(
                 'key', 'kubernetes.io/hostname', 'operator', 'In',
                 'values', jsonb_build_array(?::text))))))     -- 1 the node's name
       ORDER BY v.id
      """
          .formatted(VolumeRow.COLUMNS, VolumeRow.FROM);

  private static final String DELETE = "DELETE FROM storage.volumes WHERE id = ?"; // 1 volume

  private static final String ATTACH =
      "INSERT INTO storage.attachments (volume_id, node_id) VALUES (?, ?)"; // 1 volume, 2 node

  private static final String DETACH =
      "DELETE FROM storage.attachments WHERE volume_id = ? AND node_id = ?"; // 1 volume, 2 node

  private static final String SET_ROOT =
      """
      INSERT INTO storage.pool_roots (pool, root) VALUES (?, ?)   -- 1 pool, 2 allowed root
      ON CONFLICT (pool) DO UPDATE SET root = EXCLUDED.root
      """;

  private static final String ROOTS = "SELECT pool, root FROM storage.pool_roots ORDER BY pool";

  /** The system path a root would be, contain or lie under; the CHECK on pool roots uses it too. */
  private static final String SYSTEM_PATH_IN_THE_WAY =
      "SELECT storage.system_path_in_the_way(?)"; // 1 the root

  /** Whether any of the parties holds at least 'member' somewhere in the tree. */
  private static final String MEMBER_ANYWHERE =
      """
      SELECT EXISTS (SELECT 1 FROM tenancy.role_bindings b
                      WHERE b.party_id = ANY (?)              -- 1 the caller's parties
                        AND b.role >= 'member')
      """;

  public long insert(
      Connection c,
      String name,
      long ownerPartyId,
      String pool,
      String hostPath,
      long bytes,
      String accessMode,
      String selectorJson,
      List<String> nodeNames)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setString(1, name);
      insert.setLong(2, ownerPartyId);
      insert.setString(3, hostPath);
      insert.setLong(4, bytes);
      insert.setString(5, accessMode);
      insert.setString(6, selectorJson);
      insert.setArray(7, c.createArrayOf("text", nodeNames.toArray()));
      insert.setString(8, pool);
      try (ResultSet row = insert.executeQuery()) {
        return row.next() ? row.getLong(1) : -1;
      }
    }
  }

  public Optional<VolumeRow> find(Connection c, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_ID)) {
      query.setLong(1, id);
      List<VolumeRow> rows = list(query);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  public List<VolumeRow> ownedBy(Connection c, List<Long> parties, Long afterId, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(OWNED_BY)) {
      query.setArray(1, c.createArrayOf("bigint", parties.toArray()));
      NullableParameters.setLong(query, 2, afterId);
      query.setInt(3, limit);
      return list(query);
    }
  }

  public List<VolumeRow> availableAt(Connection c, long userPartyId, long nodeId)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(AVAILABLE_AT)) {
      query.setLong(1, userPartyId);
      query.setLong(2, nodeId);
      return list(query);
    }
  }

  public List<VolumeRow> pinnedToNode(Connection c, String nodeName) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(ON_NODE)) {
      query.setString(1, nodeName);
      return list(query);
    }
  }

  public boolean delete(Connection c, long id) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, id);
      return delete.executeUpdate() > 0;
    }
  }

  public void attach(Connection c, long volumeId, long nodeId) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(ATTACH)) {
      insert.setLong(1, volumeId);
      insert.setLong(2, nodeId);
      insert.executeUpdate();
    }
  }

  public boolean detach(Connection c, long volumeId, long nodeId) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DETACH)) {
      delete.setLong(1, volumeId);
      delete.setLong(2, nodeId);
      return delete.executeUpdate() > 0;
    }
  }

  public void setPoolRoot(Connection c, String pool, String root) throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement(SET_ROOT)) {
      upsert.setString(1, pool);
      upsert.setString(2, root);
      upsert.executeUpdate();
    }
  }

  public List<String[]> poolRoots(Connection c) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(ROOTS);
        ResultSet rows = query.executeQuery()) {
      List<String[]> roots = new ArrayList<>();
      while (rows.next()) {
        roots.add(new String[] {rows.getString(1), rows.getString(2)});
      }
      return roots;
    }
  }

  /** Every volume's id, for the controller loop's full resync. */
  public List<Long> ids(Connection c) throws SQLException {
    try (PreparedStatement query = c.prepareStatement("SELECT id FROM storage.volumes");
        ResultSet rows = query.executeQuery()) {
      List<Long> ids = new ArrayList<>();
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
      return ids;
    }
  }

  public Optional<String> systemPathInTheWay(Connection c, String root) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(SYSTEM_PATH_IN_THE_WAY)) {
      query.setString(1, root);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return Optional.ofNullable(row.getString(1));
      }
    }
  }

  public boolean memberAnywhere(Connection c, List<Long> parties) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(MEMBER_ANYWHERE)) {
      query.setArray(1, c.createArrayOf("bigint", parties.toArray()));
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private static List<VolumeRow> list(PreparedStatement statement) throws SQLException {
    List<VolumeRow> rows = new ArrayList<>();
    try (ResultSet row = statement.executeQuery()) {
      while (row.next()) {
        rows.add(VolumeRow.from(row));
      }
    }
    return rows;
  }
}
