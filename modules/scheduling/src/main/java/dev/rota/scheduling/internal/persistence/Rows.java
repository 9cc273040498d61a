package dev.rota.scheduling.internal.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;

/** Reading nullable values, shared by the repositories (binding them: NullableParameters). */
final class Rows {

  private Rows() {}

  static Instant instant(OffsetDateTime value) {
    return value == null ? null : value.toInstant();
  }
}
