package dev.rota.scheduling.internal.persistence;

import dev.rota.platform.NullableParameters;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Windows in SQL. The exclusion constraint {@code windows_no_overlap} refuses (SQLSTATE 23P01) a
 * window that would hold an instant another window of the calendar holds, for every writer and
 * under concurrency; {@link #firstConflict} then names that window.
 */
public class WindowRepository {

  /**
   * A weekly window, in effect from the given instant (or now) on. Writers of one calendar take
   * turns (a transaction-scoped advisory lock on the calendar, taken before the row is inserted):
   * two transactions inserting overlapping windows at once would otherwise each wait for the other
   * in the exclusion check, a deadlock PostgreSQL breaks only after deadlock_timeout (1 s). The
   * lock is about speed under contention, not correctness; the constraint alone keeps that.
   */
  private static final String INSERT_WEEKLY =
      """
      WITH turn AS (SELECT pg_advisory_xact_lock(hashtextextended('scheduling.calendar:' || ?, 0)))
                                                           -- 1 calendar
      INSERT INTO scheduling.windows AS w
             (calendar_id, kind, owner_node_id, label, start_second, end_second, effective)
      SELECT ?,                                            -- 2 calendar
             ?::scheduling.window_kind,                    -- 3 reservation or maintenance
             ?, ?,                                         -- 4 owner node or null, 5 label or null
             ?, ?,                                         -- 6 start, 7 end: seconds of the week
             tstzrange(COALESCE(?, date_trunc('second', now())), NULL)
                                                           -- 8 in effect from, or null for now
        FROM turn
      RETURNING %s
      """
          .formatted(WindowRow.COLUMNS);

  /**
   * A one-off window, taking the calendar's turn as above; the trigger computes the seconds of the
   * week it covers.
   */
  private static final String INSERT_ONCE =
      """
      WITH turn AS (SELECT pg_advisory_xact_lock(hashtextextended('scheduling.calendar:' || ?, 0)))
                                                           -- 1 calendar
      INSERT INTO scheduling.windows AS w (calendar_id, kind, owner_node_id, label, effective)
      SELECT ?,                                            -- 2 calendar
             ?::scheduling.window_kind,                    -- 3 reservation or maintenance
             ?, ?,                                         -- 4 owner node or null, 5 label or null
             tstzrange(?, ?)                               -- 6 from, 7 to
        FROM turn
      RETURNING %s
      """
          .formatted(WindowRow.COLUMNS);

  /**
   * The oldest window of the calendar that a candidate would conflict with: the constraint's own
   * predicate, evaluated for the candidate's values (its held range computed as the trigger does).
   */
  private static final String FIRST_CONFLICT =
      """
      WITH candidate AS (
        SELECT c.id AS calendar_id,
               CASE WHEN ?::integer IS NULL                                -- 1 start, null: one-off
                    THEN scheduling.local_week_cover(tstzrange(?, ?), c.time_zone) -- 2 from, 3 to
                    ELSE scheduling.window_cover(?, ?, NULL) END AS cover, -- 4 start, 5 end
               CASE WHEN ?::integer IS NULL                                -- 6 start, null: one-off
                    THEN tstzrange(?, ?)                                   -- 7 from, 8 to
                    ELSE scheduling.window_held(?, ?,                      -- 9 start, 10 end
                           tstzrange(COALESCE(?, date_trunc('second', now())), NULL),
                                                                           -- 11 from, or now
                           c.time_zone) END AS held
          FROM scheduling.calendars c
         WHERE c.id = ?)                                                   -- 12 calendar
      SELECT %s
        FROM candidate JOIN scheduling.windows w ON w.calendar_id = candidate.calendar_id
       WHERE scheduling.window_cover(w.start_second, w.end_second, w.once_cover) && candidate.cover
         AND w.held && candidate.held
       ORDER BY w.id
       LIMIT 1
      """
          .formatted(WindowRow.COLUMNS);

  private static final String BY_ID =
      "SELECT "
          + WindowRow.COLUMNS
          + " FROM scheduling.windows w WHERE w.calendar_id = ? AND w.id = ?"; // 1 calendar, 2 id

  /** A page of a calendar's windows in id order. */
  private static final String PAGE =
      """
      SELECT %s FROM scheduling.windows w
       WHERE w.calendar_id = ?                             -- 1 calendar
         AND w.id > COALESCE(?, 0)                         -- 2 cursor: last id, or null
       ORDER BY w.id
       LIMIT ?                                             -- 3 page size
      """
          .formatted(WindowRow.COLUMNS);

  /** Every weekly window of a calendar, whatever its start of effect. */
  private static final String WEEKLY =
      """
      SELECT w.start_second, w.end_second FROM scheduling.windows w
       WHERE w.calendar_id = ? AND w.start_second IS NOT NULL      -- 1 calendar
      """;

  private static final String DELETE =
      "DELETE FROM scheduling.windows WHERE calendar_id = ? AND id = ?"; // 1 calendar, 2 id

  public WindowRow insertWeekly(
      Connection c,
      long calendarId,
      WindowKind kind,
      Long ownerNodeId,
      String label,
      WeekWindow window,
      Instant effectiveFrom)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT_WEEKLY)) {
      insert.setLong(1, calendarId);
      insert.setLong(2, calendarId);
      insert.setString(3, kind.sqlName());
      NullableParameters.setLong(insert, 4, ownerNodeId);
      insert.setString(5, label);
      insert.setInt(6, window.start());
      insert.setInt(7, window.end());
      NullableParameters.setInstant(insert, 8, effectiveFrom);
      return single(insert).orElseThrow();
    }
  }

  public WindowRow insertOnce(
      Connection c,
      long calendarId,
      WindowKind kind,
      Long ownerNodeId,
      String label,
      Instant from,
      Instant to)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT_ONCE)) {
      insert.setLong(1, calendarId);
      insert.setLong(2, calendarId);
      insert.setString(3, kind.sqlName());
      NullableParameters.setLong(insert, 4, ownerNodeId);
      insert.setString(5, label);
      NullableParameters.setInstant(insert, 6, from);
      NullableParameters.setInstant(insert, 7, to);
      return single(insert).orElseThrow();
    }
  }

  /**
   * The window a weekly candidate (when {@code window} is set, in effect from {@code from} or now)
   * or a one-off candidate ({@code from} to {@code to}) conflicts with, if any.
   */
  public Optional<WindowRow> firstConflict(
      Connection c, long calendarId, WeekWindow window, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(FIRST_CONFLICT)) {
      Integer start = window == null ? null : window.start();
      Integer end = window == null ? null : window.end();
      NullableParameters.setInt(query, 1, start);
      NullableParameters.setInstant(query, 2, from);
      NullableParameters.setInstant(query, 3, to);
      NullableParameters.setInt(query, 4, start);
      NullableParameters.setInt(query, 5, end);
      NullableParameters.setInt(query, 6, start);
      NullableParameters.setInstant(query, 7, from);
      NullableParameters.setInstant(query, 8, to);
      NullableParameters.setInt(query, 9, start);
      NullableParameters.setInt(query, 10, end);
      NullableParameters.setInstant(query, 11, from);
      query.setLong(12, calendarId);
      return single(query);
    }
  }

  public Optional<WindowRow> find(Connection c, long calendarId, long id) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_ID)) {
      query.setLong(1, calendarId);
      query.setLong(2, id);
      return single(query);
    }
  }

  public List<WindowRow> page(Connection c, long calendarId, Long afterId, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      query.setLong(1, calendarId);
      NullableParameters.setLong(query, 2, afterId);
      query.setInt(3, limit);
      List<WindowRow> rows = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          rows.add(WindowRow.from(row, 1));
        }
      }
      return rows;
    }
  }

  public List<WeekWindow> weekly(Connection c, long calendarId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(WEEKLY)) {
      query.setLong(1, calendarId);
      List<WeekWindow> windows = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          windows.add(new WeekWindow(row.getInt(1), row.getInt(2)));
        }
      }
      return windows;
    }
  }

  public boolean delete(Connection c, long calendarId, long id) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, calendarId);
      delete.setLong(2, id);
      return delete.executeUpdate() == 1;
    }
  }

  private static Optional<WindowRow> single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      return row.next() ? Optional.of(WindowRow.from(row, 1)) : Optional.empty();
    }
  }
}
