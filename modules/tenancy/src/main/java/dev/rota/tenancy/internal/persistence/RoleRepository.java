package dev.rota.tenancy.internal.persistence;

import dev.rota.tenancy.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Role bindings and what they add up to. A user holds, at a node, the highest role bound at that
 * node or any ancestor to the user or to a group they are a direct member of. A group grants
 * exactly the bindings made to that group: membership of {@code acme/ml} is not membership of
 * {@code acme}, so whoever administers {@code acme/ml} can hand out no more than {@code acme/ml}'s
 * own bindings. All of it is answered by ltree operators over the GiST index, in one statement
 * each.
 */
public class RoleRepository {

  /**
   * The parties acting for a user: the user and the groups they are a direct member of (not the
   * groups above those: a group's membership does not climb the tree).
   */
  static final String USER_PARTIES =
      """
      user_parties AS (
        SELECT ?::bigint AS party_id                                   -- 1 the user's party
        UNION
        SELECT m.group_party_id
          FROM tenancy.group_members m
         WHERE m.user_party_id = ?)                                    -- 2 the user's party again
      """;

  private static final String EFFECTIVE_ROLE =
      """
      WITH %s
      SELECT max(b.role)::text
        FROM tenancy.role_bindings b
        JOIN tenancy.nodes bound ON bound.id = b.node_id
       WHERE b.party_id IN (SELECT party_id FROM user_parties)
         AND bound.path @> (SELECT path FROM tenancy.nodes WHERE id = ?) -- 3 the node
      """
          .formatted(USER_PARTIES);

  /** Every node the user holds some role at: the subtrees below their bindings. */
  private static final String VISIBLE_NODES =
      """
      WITH %s,
      granted AS (
        SELECT bound.path FROM tenancy.role_bindings b
          JOIN tenancy.nodes bound ON bound.id = b.node_id
         WHERE b.party_id IN (SELECT party_id FROM user_parties))
      SELECT %s FROM tenancy.nodes n
       WHERE n.path <@ ARRAY(SELECT path FROM granted)                 -- GiST: under any grant
         AND n.path > COALESCE(?::ltree, ''::ltree)                     -- 3 cursor: last path
       ORDER BY n.path
       LIMIT ?                                                         -- 4 page size
      """
          .formatted(USER_PARTIES, NodeRow.COLUMNS);

  /**
   * The ancestors of a node that the user holds some role at, root first: those at or below one of
   * the user's bindings (roles inherit downwards, so the visible part of the chain is its lower
   * end).
   */
  private static final String VISIBLE_ANCESTORS =
      """
      WITH %s,
      granted AS (
        SELECT bound.path FROM tenancy.role_bindings b
          JOIN tenancy.nodes bound ON bound.id = b.node_id
         WHERE b.party_id IN (SELECT party_id FROM user_parties))
      SELECT %s FROM tenancy.nodes n, tenancy.nodes leaf
       WHERE leaf.id = ?                                               -- 3 the node
         AND n.path @> leaf.path AND n.id <> leaf.id                   -- GiST: ancestors only
         AND n.path <@ ARRAY(SELECT path FROM granted)                 -- and visible to the user
       ORDER BY nlevel(n.path)
      """
          .formatted(USER_PARTIES, NodeRow.COLUMNS);

  /** The paths of the nodes bound to the user or a group they are a direct member of. */
  private static final String GRANTED_PATHS =
      """
      WITH %s
      SELECT DISTINCT bound.path::text
        FROM tenancy.role_bindings b
        JOIN tenancy.nodes bound ON bound.id = b.node_id
       WHERE b.party_id IN (SELECT party_id FROM user_parties)
      """
          .formatted(USER_PARTIES);

  /** The role bound to a party at a node, locked so that a concurrent change waits. */
  private static final String BOUND_ROLE =
      """
      SELECT role::text FROM tenancy.role_bindings
       WHERE node_id = ? AND party_id = ?                              -- 1 node, 2 party
         FOR UPDATE
      """;

  /** Whether a party holds the owner role at some node. */
  private static final String HOLDS_OWNER =
      """
      SELECT EXISTS (SELECT 1 FROM tenancy.role_bindings
                      WHERE party_id = ? AND role = 'owner')           -- 1 the party
      """;

  private static final String BIND =
      """
      INSERT INTO tenancy.role_bindings (node_id, party_id, role)
      VALUES (?, ?, ?::tenancy.role)                                   -- 1 node, 2 party, 3 role
      ON CONFLICT (node_id, party_id) DO UPDATE SET role = EXCLUDED.role
      """;

  private static final String UNBIND =
      "DELETE FROM tenancy.role_bindings WHERE node_id = ? AND party_id = ?"; // 1 node, 2 party

  private static final String DIRECT =
      """
      SELECT b.party_id, p.kind::text, COALESCE(u.name, g.path::text), b.role::text, b.node_id
        FROM tenancy.role_bindings b
        JOIN tenancy.parties p ON p.id = b.party_id
        LEFT JOIN tenancy.users u ON u.party_id = b.party_id
        LEFT JOIN tenancy.nodes g ON g.party_id = b.party_id
       WHERE b.node_id = ?                                             -- 1 the node
       ORDER BY 3
      """;

  /**
   * Every user's effective role at a node, from bindings at the node and its ancestors, to users
   * directly and to the groups they are direct members of.
   */
  private static final String EFFECTIVE_MEMBERS =
      """
      WITH bindings AS (
        SELECT b.party_id, b.role
          FROM tenancy.role_bindings b
          JOIN tenancy.nodes bound ON bound.id = b.node_id
         WHERE bound.path @> (SELECT path FROM tenancy.nodes WHERE id = ?)), -- 1 the node
      user_roles AS (
        SELECT b.party_id AS user_party_id, b.role FROM bindings b
        UNION ALL
        SELECT m.user_party_id, b.role
          FROM bindings b
          JOIN tenancy.group_members m ON m.group_party_id = b.party_id)
      SELECT u.party_id, 'user', u.name, max(r.role)::text, NULL::bigint
        FROM user_roles r JOIN tenancy.users u ON u.party_id = r.user_party_id
       GROUP BY u.party_id, u.name
       ORDER BY u.name
      """;

  /** The nodes where a group's membership matters: where the group itself holds a binding. */
  private static final String NODES_BOUND_TO_GROUP =
      """
      SELECT DISTINCT b.node_id
        FROM tenancy.role_bindings b
        JOIN tenancy.nodes g ON g.party_id = b.party_id
       WHERE g.id = ?                                                  -- 1 the group's node
      """;

  public List<Long> nodesBoundToGroup(Connection c, long groupNodeId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(NODES_BOUND_TO_GROUP)) {
      query.setLong(1, groupNodeId);
      List<Long> ids = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          ids.add(row.getLong(1));
        }
      }
      return ids;
    }
  }

  public List<String> grantedPaths(Connection c, long userPartyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(GRANTED_PATHS)) {
      query.setLong(1, userPartyId);
      query.setLong(2, userPartyId);
      List<String> paths = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          paths.add(row.getString(1));
        }
      }
      return paths;
    }
  }

  public Optional<Role> effectiveRole(Connection c, long userPartyId, long nodeId)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(EFFECTIVE_ROLE)) {
      query.setLong(1, userPartyId);
      query.setLong(2, userPartyId);
      query.setLong(3, nodeId);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        String role = row.getString(1);
        return role == null ? Optional.empty() : Optional.of(Role.fromSql(role));
      }
    }
  }

  public List<NodeRow> visibleNodes(Connection c, long userPartyId, String afterPath, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(VISIBLE_NODES)) {
      query.setLong(1, userPartyId);
      query.setLong(2, userPartyId);
      query.setString(3, afterPath);
      query.setInt(4, limit);
      List<NodeRow> nodes = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          nodes.add(NodeRow.from(row));
        }
      }
      return nodes;
    }
  }

  public List<NodeRow> visibleAncestors(Connection c, long userPartyId, long nodeId)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(VISIBLE_ANCESTORS)) {
      query.setLong(1, userPartyId);
      query.setLong(2, userPartyId);
      query.setLong(3, nodeId);
      List<NodeRow> nodes = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          nodes.add(NodeRow.from(row));
        }
      }
      return nodes;
    }
  }

  /** The role bound to the party at the node itself (not inherited), locking the binding. */
  public Optional<Role> boundRole(Connection c, long nodeId, long partyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BOUND_ROLE)) {
      query.setLong(1, nodeId);
      query.setLong(2, partyId);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? Optional.of(Role.fromSql(row.getString(1))) : Optional.empty();
      }
    }
  }

  public boolean holdsOwner(Connection c, long partyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(HOLDS_OWNER)) {
      query.setLong(1, partyId);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  public void bind(Connection c, long nodeId, long partyId, Role role) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(BIND)) {
      insert.setLong(1, nodeId);
      insert.setLong(2, partyId);
      insert.setString(3, role.sqlName());
      insert.executeUpdate();
    }
  }

  public boolean unbind(Connection c, long nodeId, long partyId) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(UNBIND)) {
      delete.setLong(1, nodeId);
      delete.setLong(2, partyId);
      return delete.executeUpdate() > 0;
    }
  }

  /** The bindings made at the node itself. */
  public List<RoleGrant> direct(Connection c, long nodeId) throws SQLException {
    return grants(c, DIRECT, nodeId);
  }

  /** Every user's effective role at the node. */
  public List<RoleGrant> effectiveMembers(Connection c, long nodeId) throws SQLException {
    return grants(c, EFFECTIVE_MEMBERS, nodeId);
  }

  private static List<RoleGrant> grants(Connection c, String sql, long nodeId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(sql)) {
      query.setLong(1, nodeId);
      List<RoleGrant> grants = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          grants.add(
              new RoleGrant(
                  row.getLong(1),
                  row.getString(2),
                  row.getString(3),
                  Role.fromSql(row.getString(4))));
        }
      }
      return grants;
    }
  }

  /**
   * A party's role at a node.
   *
   * @param partyKind {@code user} or {@code group}
   * @param partyName the user's name, or the group's path
   */
  public record RoleGrant(long partyId, String partyKind, String partyName, Role role) {}
}
