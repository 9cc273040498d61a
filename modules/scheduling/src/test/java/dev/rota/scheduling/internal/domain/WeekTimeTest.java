package dev.rota.scheduling.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import org.junit.jupiter.api.Test;

class WeekTimeTest {

  @Test
  void weekday_times_read_in_any_case_and_with_full_or_short_day_names() {
    assertThat(WeekTime.parse("start", "Mon 22:00").second()).isEqualTo(22 * 3600);
    assertThat(WeekTime.parse("start", "monday 22:00").second()).isEqualTo(22 * 3600);
    assertThat(WeekTime.parse("start", "  TUE 06:30:15 ").second())
        .isEqualTo(86_400 + 6 * 3600 + 30 * 60 + 15);
    assertThat(WeekTime.parse("start", "Sunday 23:59:59").second()).isEqualTo(604_799);
    assertThat(WeekTime.parse("end", "Sun 24:00").second()).isEqualTo(604_800);
    assertThat(WeekTime.parse("start", "thu 9:05").second()).isEqualTo(3 * 86_400 + 9 * 3600 + 300);
  }

  @Test
  void seconds_of_the_week_read_as_numbers() {
    assertThat(WeekTime.parse("start", "0").second()).isZero();
    assertThat(WeekTime.parse("end", "604800").second()).isEqualTo(604_800);
  }

  @Test
  void anything_else_is_a_400_that_says_what_to_write() {
    for (String bad :
        new String[] {
          "",
          "Mon",
          "22:00",
          "Mon 25:00",
          "Mon 22:60",
          "Funday 10:00",
          "604801",
          "-5",
          "Mon 24:01",
          "Mon 22:00 CET"
        }) {
      assertThatThrownBy(() -> WeekTime.parse("start", bad))
          .as(bad)
          .isInstanceOf(InvalidSchedulingRequest.class)
          .hasMessageContaining("start");
    }
    assertThatThrownBy(() -> WeekTime.parse("end", null))
        .isInstanceOf(InvalidSchedulingRequest.class);
  }

  @Test
  void times_print_as_short_weekday_and_clock() {
    assertThat(new WeekTime(22 * 3600).format()).isEqualTo("Mon 22:00");
    assertThat(new WeekTime(6 * 86_400 + 3600 + 5).format()).isEqualTo("Sun 01:00:05");
    assertThat(new WeekTime(604_800).format()).isEqualTo("Mon 00:00");
  }
}
