package dev.rota.scheduling.internal.persistence;

import dev.rota.platform.NullableParameters;
import dev.rota.scheduling.PoolAvailability.Block;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import dev.rota.scheduling.PoolAvailability.State;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who holds a calendar when: the window holding it at an instant, and the occurrences of its
 * windows between two instants. Both apply the rule of V3__scheduling.sql: a window holds instant T
 * when T is in its held range (V11: from its first occurrence on) and the calendar's wall clock
 * shows, at T, a second of the week that the window covers; time zones and daylight-saving changes
 * are PostgreSQL's.
 */
public class OccupancyRepository {

  /**
   * The window holding the calendar at an instant (at most one can), and the second of the week the
   * calendar's clock shows then. One GiST scan of windows_no_overlap.
   */
  private static final String AT =
      """
      WITH asked AS (SELECT ?::timestamptz AS at)                          -- 1 the instant
      SELECT scheduling.week_second(asked.at, c.time_zone), %s
        FROM asked
        CROSS JOIN scheduling.calendars c
        LEFT JOIN scheduling.windows w
               ON w.calendar_id = c.id
              AND scheduling.window_cover(w.start_second, w.end_second, w.once_cover)
                  @> scheduling.week_second(asked.at, c.time_zone)
              AND w.held @> asked.at
       WHERE c.id = ?                                                      -- 2 calendar
      """
          .formatted(WindowRow.COLUMNS);

  /**
   * Every occurrence of the calendar's windows that overlaps [from, to), whole: weekly windows are
   * expanded over a week more on each side, so that an occurrence that began before {@code from} or
   * ends after {@code to} is reported with its real bounds.
   */
  private static final String OCCURRENCES =
      """
      WITH asked AS (
        SELECT tstzrange(?, ?) AS span,                                    -- 1 from, 2 to
               tstzrange(?::timestamptz - interval '7 days',               -- 3 from
                         ?::timestamptz + interval '7 days') AS wide)      -- 4 to
      SELECT %s, lower(o.occurrence), upper(o.occurrence)
        FROM asked
        CROSS JOIN scheduling.calendars c
        JOIN scheduling.windows w ON w.calendar_id = c.id
        CROSS JOIN LATERAL (
          SELECT r FROM scheduling.weekly_occurrences(
                          scheduling.window_cover(w.start_second, w.end_second, NULL),
                          c.time_zone, w.held * asked.wide) AS r
           WHERE w.start_second IS NOT NULL
          UNION ALL
          SELECT w.held WHERE w.start_second IS NULL) AS o (occurrence)
       WHERE c.id = ?                                                      -- 5 calendar
         AND w.held && asked.span
         AND o.occurrence && asked.span
       ORDER BY lower(o.occurrence), w.id
       LIMIT ?                                                             -- 6 most rows
      """
          .formatted(WindowRow.COLUMNS);

  /**
   * The queue's question for a pool: the window holding it at an instant and whether its owner is
   * the node or one of the node's ancestors (ltree, GiST). One indexed query.
   */
  static final String POOL =
      """
      WITH asked AS (SELECT ?::timestamptz AS at)                          -- 1 the instant
      SELECT w.id, w.kind::text, w.owner_node_id,
             COALESCE(owner.path @> (SELECT n.path FROM tenancy.nodes n WHERE n.id = ?), false)
                                                                           -- 2 the task's node
        FROM asked
        CROSS JOIN scheduling.calendars c
        JOIN scheduling.windows w
          ON w.calendar_id = c.id
         AND scheduling.window_cover(w.start_second, w.end_second, w.once_cover)
             @> scheduling.week_second(asked.at, c.time_zone)
         AND w.held @> asked.at
        LEFT JOIN tenancy.nodes owner ON owner.id = w.owner_node_id
       WHERE c.kind = 'pool' AND c.name = ?                                -- 3 the pool
       LIMIT 1
      """;

  /**
   * The queue's question about a task's runtime: the first window of the pool that would stop a
   * task of the node within [from, until). Candidates come from one scan of windows_no_overlap
   * (calendar, covered seconds, held instants): windows whose held range meets the span and whose
   * covered seconds meet those the span shows on the calendar's clock (the whole week for spans of
   * eight days or more, so no daylight-saving shift can hide a second). A weekly window's
   * occurrence is then pinned by first_occurrence (V11), which goes round the week's end; a one-off
   * window starts at its span. Reservations of the node or an ancestor never block it.
   */
  static final String NEXT_BLOCK =
      """
      WITH asked AS (SELECT tstzrange(?::timestamptz, ?::timestamptz) AS span)  -- 1 from, 2 until
      SELECT w.id, w.kind::text, w.owner_node_id, s.starts
        FROM asked
        CROSS JOIN scheduling.calendars c
        JOIN scheduling.windows w
          ON w.calendar_id = c.id
         AND w.held && asked.span
         AND scheduling.window_cover(w.start_second, w.end_second, w.once_cover)
             && CASE WHEN upper(asked.span) - lower(asked.span) >= interval '8 days'
                     THEN int4multirange(int4range(0, 604800))
                     ELSE scheduling.local_week_cover(asked.span, c.time_zone) END
        LEFT JOIN tenancy.nodes owner ON owner.id = w.owner_node_id
        CROSS JOIN LATERAL (
          SELECT CASE WHEN w.start_second IS NULL
                      THEN greatest(lower(w.held), lower(asked.span))
                      ELSE scheduling.first_occurrence(
                             scheduling.window_cover(w.start_second, w.end_second, NULL),
                             c.time_zone, greatest(lower(w.held), lower(asked.span)))
                 END AS starts) s
       WHERE c.kind = 'pool' AND c.name = ?                                     -- 3 the pool
         AND s.starts < upper(asked.span)
         AND (w.kind = 'maintenance'
              OR NOT COALESCE(owner.path @> (SELECT n.path FROM tenancy.nodes n
                                              WHERE n.id = ?), false))          -- 4 the task's node
       ORDER BY s.starts, w.id
       LIMIT 1
      """;

  /** What holds a calendar at an instant. */
  public record Holding(int weekSecond, Optional<WindowRow> window) {}

  /** One occurrence of a window. */
  public record Occurrence(WindowRow window, Instant start, Instant end) {}

  /** Empty when there is no such calendar. */
  public Optional<Holding> at(Connection c, long calendarId, Instant at) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(AT)) {
      NullableParameters.setInstant(query, 1, at);
      query.setLong(2, calendarId);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        int second = row.getInt(1);
        row.getLong(2);
        Optional<WindowRow> window =
            row.wasNull() ? Optional.empty() : Optional.of(WindowRow.from(row, 2));
        return Optional.of(new Holding(second, window));
      }
    }
  }

  public List<Occurrence> occurrences(
      Connection c, long calendarId, Instant from, Instant to, int limit) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(OCCURRENCES)) {
      NullableParameters.setInstant(query, 1, from);
      NullableParameters.setInstant(query, 2, to);
      NullableParameters.setInstant(query, 3, from);
      NullableParameters.setInstant(query, 4, to);
      query.setLong(5, calendarId);
      query.setInt(6, limit);
      List<Occurrence> occurrences = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        int next = WindowRow.COLUMN_COUNT + 1;
        while (row.next()) {
          occurrences.add(
              new Occurrence(
                  WindowRow.from(row, 1),
                  row.getObject(next, OffsetDateTime.class).toInstant(),
                  row.getObject(next + 1, OffsetDateTime.class).toInstant()));
        }
      }
      return occurrences;
    }
  }

  public PoolStatus pool(Connection c, long nodeId, String pool, Instant at) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(POOL)) {
      NullableParameters.setInstant(query, 1, at);
      query.setLong(2, nodeId);
      query.setString(3, pool);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return PoolStatus.FREE;
        }
        long windowId = row.getLong(1);
        WindowKind kind = WindowKind.fromSql(row.getString(2));
        Long owner = row.getObject(3, Long.class);
        State state =
            kind == WindowKind.MAINTENANCE
                ? State.MAINTENANCE
                : row.getBoolean(4) ? State.RESERVED_FOR_NODE : State.RESERVED_FOR_OTHER;
        return new PoolStatus(state, windowId, owner);
      }
    }
  }

  public Optional<Block> nextBlock(
      Connection c, long nodeId, String pool, Instant from, Instant until) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(NEXT_BLOCK)) {
      NullableParameters.setInstant(query, 1, from);
      NullableParameters.setInstant(query, 2, until);
      query.setString(3, pool);
      query.setLong(4, nodeId);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        State state =
            WindowKind.fromSql(row.getString(2)) == WindowKind.MAINTENANCE
                ? State.MAINTENANCE
                : State.RESERVED_FOR_OTHER;
        return Optional.of(
            new Block(
                state,
                row.getLong(1),
                row.getObject(3, Long.class),
                row.getObject(4, OffsetDateTime.class).toInstant()));
      }
    }
  }
}
