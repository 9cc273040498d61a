package dev.rota.scheduling.internal.persistence;

import dev.rota.scheduling.internal.domain.CalendarKind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/** One row of {@code scheduling.calendars}. */
public record CalendarRow(
    long id, CalendarKind kind, String name, String timeZone, OffsetDateTime createdAt) {

  /** The columns {@link #from} reads (table alias {@code c}). */
  static final String COLUMNS = "c.id, c.kind::text, c.name, c.time_zone, c.created_at";

  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  static CalendarRow from(ResultSet row) throws SQLException {
    return new CalendarRow(
        row.getLong(1),
        CalendarKind.fromSql(row.getString(2)),
        row.getString(3),
        row.getString(4),
        row.getObject(5, OffsetDateTime.class));
  }
}
