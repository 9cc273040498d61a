package dev.rota.scheduling.internal.persistence;

import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One row of {@code scheduling.windows}: a weekly window (start and end seconds of the week, in
 * effect from {@code from} on) or a one-off window ({@code from} to {@code to}).
 */
public record WindowRow(
    long id,
    long calendarId,
    WindowKind kind,
    Long ownerNodeId,
    String label,
    Integer startSecond,
    Integer endSecond,
    Instant from,
    Instant to,
    OffsetDateTime createdAt) {

  /** The columns {@link #from(ResultSet, int)} reads (table alias {@code w}). */
  static final String COLUMNS =
      "w.id, w.calendar_id, w.kind::text, w.owner_node_id, w.label, w.start_second,"
          + " w.end_second, lower(w.effective), upper(w.effective), w.created_at";

  static final int COLUMN_COUNT = 10;

  public boolean weekly() {
    return startSecond != null;
  }

  public WeekWindow weekWindow() {
    return new WeekWindow(startSecond, endSecond);
  }

  /**
   * The same window without its owner, and without its label when {@code hideLabel}: what a caller
   * who cannot see the owning node is shown.
   */
  public WindowRow withoutOwner(boolean hideLabel) {
    return new WindowRow(
        id,
        calendarId,
        kind,
        null,
        hideLabel ? null : label,
        startSecond,
        endSecond,
        from,
        to,
        createdAt);
  }

  /** A few words for an error message: what the window is and whose. */
  public String describe() {
    String when =
        weekly()
            ? "weekly from "
                + new WeekTime(startSecond).format()
                + " to "
                + new WeekTime(endSecond).format()
            : "from " + from + " to " + to;
    return kind.sqlName()
        + " "
        + when
        + (ownerNodeId == null ? "" : " held by node " + ownerNodeId);
  }

  static WindowRow from(ResultSet row, int first) throws SQLException {
    return new WindowRow(
        row.getLong(first),
        row.getLong(first + 1),
        WindowKind.fromSql(row.getString(first + 2)),
        row.getObject(first + 3, Long.class),
        row.getString(first + 4),
        row.getObject(first + 5, Integer.class),
        row.getObject(first + 6, Integer.class),
        Rows.instant(row.getObject(first + 7, OffsetDateTime.class)),
        Rows.instant(row.getObject(first + 8, OffsetDateTime.class)),
        row.getObject(first + 9, OffsetDateTime.class));
  }
}
