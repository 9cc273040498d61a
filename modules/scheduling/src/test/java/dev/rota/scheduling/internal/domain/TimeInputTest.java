package dev.rota.scheduling.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rota.scheduling.SchedulingException.InstantOutOfRange;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeInputTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void instants_from_1970_to_the_end_of_9999_are_accepted() {
    assertThat(TimeInput.instant("from", "1970-01-01T00:00:00Z")).isEqualTo(TimeInput.EARLIEST);
    assertThat(TimeInput.instant("to", "9999-12-31T23:59:59Z")).isEqualTo(TimeInput.LATEST);
    assertThat(TimeInput.instant("to", "9999-12-31T23:59:59-00:00")).isEqualTo(TimeInput.LATEST);
    assertThat(TimeInput.date("week", "9999-12-31")).isEqualTo(LocalDate.of(9999, 12, 31));
    assertThat(TimeInput.instantOrDate("from", "1970-01-01", BERLIN))
        .isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
  }

  @Test
  void instants_and_dates_outside_the_range_are_a_400_naming_the_field() {
    assertOutOfRange(
        "effectiveFrom", () -> TimeInput.instant("effectiveFrom", "+300000-01-01T00:00:00Z"));
    assertOutOfRange("from", () -> TimeInput.instant("from", "+294276-06-01T00:00:00Z"));
    assertOutOfRange("at", () -> TimeInput.instant("at", "-5000-01-01T00:00:00Z"));
    assertOutOfRange("to", () -> TimeInput.instant("to", "1969-12-31T23:59:59Z"));
    assertOutOfRange("to", () -> TimeInput.instant("to", "+10000-01-01T00:00:00Z"));
    assertOutOfRange("week", () -> TimeInput.date("week", "+300000-01-01"));
    assertOutOfRange("week", () -> TimeInput.date("week", "1969-12-29"));
    assertOutOfRange("from", () -> TimeInput.instantOrDate("from", "-5000-01-01", BERLIN));
    assertOutOfRange(
        "to", () -> TimeInput.instantOrDate("to", "+999999999-12-31T23:59:59Z", BERLIN));
  }

  private static void assertOutOfRange(String field, Runnable read) {
    InstantOutOfRange refused = catchThrowableOfType(read::run, InstantOutOfRange.class);
    assertThat(refused).as(field).isNotNull();
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.field()).isEqualTo(field);
    assertThat(refused.getMessage())
        .startsWith(field + ": ")
        .contains("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z");
  }
}
