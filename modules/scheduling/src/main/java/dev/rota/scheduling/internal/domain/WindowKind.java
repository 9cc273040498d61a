package dev.rota.scheduling.internal.domain;

import java.util.Locale;

/**
 * What a window does: a reservation holds the calendar for its owner; in maintenance nothing runs.
 */
public enum WindowKind {
  RESERVATION,
  MAINTENANCE;

  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static WindowKind fromSql(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
