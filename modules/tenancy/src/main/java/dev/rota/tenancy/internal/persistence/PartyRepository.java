package dev.rota.tenancy.internal.persistence;

import dev.rota.platform.NullableParameters;
import dev.rota.tenancy.Parties;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Users, and their membership in the groups of the tree. */
public class PartyRepository {

  private static final String USER_COLUMNS = "u.party_id, u.name, u.display_name, u.created_at";

  private static final String CREATE_USER =
      """
      WITH party AS (INSERT INTO tenancy.parties (kind) VALUES ('user') RETURNING id)
      INSERT INTO tenancy.users AS u (party_id, name, display_name)
      SELECT id, ?, ? FROM party                                       -- 1 name, 2 display name
      RETURNING %s
      """
          .formatted(USER_COLUMNS);

  private static final String USER_BY_NAME =
      "SELECT " + USER_COLUMNS + " FROM tenancy.users u WHERE u.name = ?"; // 1 name

  private static final String USER_BY_ID =
      "SELECT " + USER_COLUMNS + " FROM tenancy.users u WHERE u.party_id = ?"; // 1 party id

  private static final String USERS_PAGE =
      "SELECT "
          + USER_COLUMNS
          + " FROM tenancy.users u WHERE u.name > COALESCE(?, '')"
          + " ORDER BY u.name LIMIT ?"; // 1 cursor: last name returned, or null; 2 page size

  private static final String ADD_MEMBER =
      """
      INSERT INTO tenancy.group_members (group_party_id, user_party_id)
      VALUES (?, ?) ON CONFLICT DO NOTHING                             -- 1 group party, 2 user
      """;

  private static final String REMOVE_MEMBER =
      "DELETE FROM tenancy.group_members WHERE group_party_id = ? AND user_party_id = ?";
  // 1 group party, 2 user party

  private static final String MEMBERS =
      """
      SELECT %s FROM tenancy.group_members m JOIN tenancy.users u ON u.party_id = m.user_party_id
       WHERE m.group_party_id = ?                                      -- 1 group party
       ORDER BY u.name
      """
          .formatted(USER_COLUMNS);

  /** A party by exactly one of: user name, group path, party id. */
  private static final String PARTY =
      """
      SELECT p.id, p.kind::text, COALESCE(u.name, replace(g.path::text, '.', '/')), g.id
        FROM tenancy.parties p
        LEFT JOIN tenancy.users u ON u.party_id = p.id
        LEFT JOIN tenancy.nodes g ON g.party_id = p.id
       WHERE u.name = ?                                                -- 1 user name, or null
          OR g.path = ?::ltree                                         -- 2 group path, or null
          OR p.id = ?                                                  -- 3 party id, or null
      """;

  public Optional<Parties.Party> findParty(
      Connection c, String userName, String groupPath, Long partyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PARTY)) {
      query.setString(1, userName);
      query.setString(2, groupPath);
      NullableParameters.setLong(query, 3, partyId);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Parties.Party(
                row.getLong(1),
                Parties.Party.Kind.valueOf(row.getString(2).toUpperCase()),
                row.getString(3),
                row.getObject(4, Long.class)));
      }
    }
  }

  private static final String ACTING_PARTIES =
      "WITH " + RoleRepository.USER_PARTIES + " SELECT party_id FROM user_parties";

  public List<Long> actingParties(Connection c, String userName) throws SQLException {
    Optional<UserRow> user = findUser(c, userName);
    if (user.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement query = c.prepareStatement(ACTING_PARTIES)) {
      query.setLong(1, user.get().partyId());
      query.setLong(2, user.get().partyId());
      List<Long> ids = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          ids.add(row.getLong(1));
        }
      }
      return ids;
    }
  }

  public UserRow createUser(Connection c, String name, String displayName) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(CREATE_USER)) {
      insert.setString(1, name);
      insert.setString(2, displayName);
      return single(insert).orElseThrow();
    }
  }

  public Optional<UserRow> findUser(Connection c, String name) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(USER_BY_NAME)) {
      query.setString(1, name);
      return single(query);
    }
  }

  public Optional<UserRow> findUser(Connection c, long partyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(USER_BY_ID)) {
      query.setLong(1, partyId);
      return single(query);
    }
  }

  public List<UserRow> users(Connection c, String afterName, int limit) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(USERS_PAGE)) {
      query.setString(1, afterName);
      query.setInt(2, limit);
      return list(query);
    }
  }

  public void addMember(Connection c, long groupPartyId, long userPartyId) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(ADD_MEMBER)) {
      insert.setLong(1, groupPartyId);
      insert.setLong(2, userPartyId);
      insert.executeUpdate();
    }
  }

  public boolean removeMember(Connection c, long groupPartyId, long userPartyId)
      throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(REMOVE_MEMBER)) {
      delete.setLong(1, groupPartyId);
      delete.setLong(2, userPartyId);
      return delete.executeUpdate() > 0;
    }
  }

  public List<UserRow> members(Connection c, long groupPartyId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(MEMBERS)) {
      query.setLong(1, groupPartyId);
      return list(query);
    }
  }

  private static Optional<UserRow> single(PreparedStatement statement) throws SQLException {
    List<UserRow> rows = list(statement);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private static List<UserRow> list(PreparedStatement statement) throws SQLException {
    List<UserRow> rows = new ArrayList<>();
    try (ResultSet row = statement.executeQuery()) {
      while (row.next()) {
        rows.add(
            new UserRow(
                row.getLong(1),
                row.getString(2),
                row.getString(3),
                row.getObject(4, OffsetDateTime.class)));
      }
    }
    return rows;
  }

  /** One row of {@code tenancy.users}. */
  public record UserRow(long partyId, String name, String displayName, OffsetDateTime createdAt) {}
}
