package dev.rota.scheduling.internal.persistence;

import dev.rota.platform.NullableParameters;
import dev.rota.scheduling.internal.domain.CalendarKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Calendars in SQL. The database checks the name, that the zone is one PostgreSQL knows, and that
 * it never changes (see V3__scheduling.sql).
 */
public class CalendarRepository {

  private static final String INSERT =
      """
      INSERT INTO scheduling.calendars AS c (kind, name, time_zone)
      VALUES (?::scheduling.calendar_kind,             -- 1 pool or node
              ?,                                       -- 2 the pool's label value or node name
              ?)                                       -- 3 IANA zone id
      RETURNING %s
      """
          .formatted(CalendarRow.COLUMNS);

  private static final String BY_ID =
      "SELECT " + CalendarRow.COLUMNS + " FROM scheduling.calendars c WHERE c.id = ?"; // 1 id

  /** A page of calendars in id order, optionally of one kind and name. */
  private static final String PAGE =
      """
      SELECT %s FROM scheduling.calendars c
       WHERE c.id > COALESCE(?, 0)                               -- 1 cursor: last id, or null
         AND (?::scheduling.calendar_kind IS NULL OR c.kind = ?::scheduling.calendar_kind)
                                                                 -- 2, 3 kind filter, or null
         AND (?::text IS NULL OR c.name = ?)                     -- 4, 5 name filter, or null
       ORDER BY c.id
       LIMIT ?                                                   -- 6 page size
      """
          .formatted(CalendarRow.COLUMNS);

  private static final String DELETE =
      "DELETE FROM scheduling.calendars WHERE id = ?"; // 1 id; its windows go by cascade

  public CalendarRow insert(Connection c, CalendarKind kind, String name, String timeZone)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setString(1, kind.sqlName());
      insert.setString(2, name);
      insert.setString(3, timeZone);
      return single(insert).orElseThrow();
    }
  }

  public Optional<CalendarRow> find(Connection c, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_ID)) {
      query.setLong(1, id);
      return single(query);
    }
  }

  public List<CalendarRow> page(
      Connection c, CalendarKind kind, String name, Long afterId, int limit) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      NullableParameters.setLong(query, 1, afterId);
      String kindName = kind == null ? null : kind.sqlName();
      query.setString(2, kindName);
      query.setString(3, kindName);
      query.setString(4, name);
      query.setString(5, name);
      query.setInt(6, limit);
      List<CalendarRow> rows = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          rows.add(CalendarRow.from(row));
        }
      }
      return rows;
    }
  }

  public boolean delete(Connection c, long id) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, id);
      return delete.executeUpdate() == 1;
    }
  }

  private static Optional<CalendarRow> single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      return row.next() ? Optional.of(CalendarRow.from(row)) : Optional.empty();
    }
  }
}
