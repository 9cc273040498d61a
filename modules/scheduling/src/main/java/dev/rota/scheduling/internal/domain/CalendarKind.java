package dev.rota.scheduling.internal.domain;

import java.util.Locale;

/** What a calendar schedules: a GPU node pool (by its label value) or a single node (by name). */
public enum CalendarKind {
  POOL,
  NODE;

  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CalendarKind fromSql(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
