package dev.rota.scheduling.internal.persistence;

import static dev.rota.scheduling.internal.persistence.TestScheduling.constraintOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.scheduling.internal.persistence.OccupancyRepository.Holding;
import dev.rota.scheduling.internal.persistence.OccupancyRepository.Occurrence;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Weekly windows on a Europe/Berlin calendar in the weeks its clocks change: 2026-03-29, 02:00 CET
 * becomes 03:00 CEST (01:00 UTC), and 2026-10-25, 03:00 CEST becomes 02:00 CET (01:00 UTC). A
 * window holds the instants at which Berlin's clock shows one of its seconds of the week.
 */
class DaylightSavingIT {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final int SUNDAY = 6 * 86_400;
  private static final int SAT_2200 = 5 * 86_400 + 22 * 3600;
  private static final int SUN_0215 = SUNDAY + 2 * 3600 + 15 * 60;
  private static final int SUN_0245 = SUNDAY + 2 * 3600 + 45 * 60;
  private static final int SUN_0600 = SUNDAY + 6 * 3600;
  private static final Instant SPRING_WEEK = Instant.parse("2026-03-22T23:00:00Z"); // Mon 00:00 CET
  private static final Instant SPRING_WEEK_END = Instant.parse("2026-03-29T22:00:00Z");
  private static final Instant FALL_WEEK = Instant.parse("2026-10-18T22:00:00Z"); // Mon 00:00 CEST
  private static final Instant FALL_WEEK_END = Instant.parse("2026-10-25T23:00:00Z");

  private final TestScheduling scheduling = new TestScheduling();
  private final OccupancyRepository occupancy = new OccupancyRepository();

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void saturday_night_to_sunday_morning_lasts_seven_hours_in_spring_and_nine_in_autumn() {
    CalendarRow calendar = scheduling.calendar("Europe/Berlin");
    scheduling.weekly(calendar, SAT_2200, SUN_0600);

    assertThat(occurrences(calendar, SPRING_WEEK, SPRING_WEEK_END))
        .containsExactly(span("2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z"));
    assertThat(occurrences(calendar, FALL_WEEK, FALL_WEEK_END))
        .containsExactly(span("2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z"));
    assertThat(
            occurrences(
                calendar,
                Instant.parse("2026-06-15T00:00:00Z"),
                Instant.parse("2026-06-22T00:00:00Z")))
        .containsExactly(span("2026-06-20T20:00:00Z", "2026-06-21T04:00:00Z"));
  }

  @Test
  void
      a_window_inside_the_skipped_hour_does_not_occur_and_one_inside_the_repeated_hour_occurs_twice() {
    CalendarRow calendar = scheduling.calendar("Europe/Berlin");
    WindowRow window = scheduling.weekly(calendar, SUN_0215, SUN_0245);

    assertThat(occurrences(calendar, SPRING_WEEK, SPRING_WEEK_END)).isEmpty();
    assertThat(occurrences(calendar, FALL_WEEK, FALL_WEEK_END))
        .containsExactly(
            span("2026-10-25T00:15:00Z", "2026-10-25T00:45:00Z"),
            span("2026-10-25T01:15:00Z", "2026-10-25T01:45:00Z"));
    assertThat(holder(calendar, "2026-10-25T00:20:00Z")).contains(window.id());
    assertThat(holder(calendar, "2026-10-25T00:50:00Z")).isEmpty();
    assertThat(holder(calendar, "2026-10-25T01:44:59Z")).contains(window.id());
    assertThat(holding(calendar, "2026-10-25T01:20:00Z").weekSecond())
        .isEqualTo(SUNDAY + 2 * 3600 + 20 * 60);
  }

  @Test
  void one_off_windows_are_compared_with_the_clock_they_show_across_the_change() {
    CalendarRow calendar = scheduling.calendar("Europe/Berlin");
    WindowRow weekly = scheduling.weekly(calendar, SUN_0215, SUN_0245);

    // 02:00-02:15 CET, the second time round: next to the weekly window, not in it.
    scheduling.once(
        calendar, Instant.parse("2026-10-25T01:00:00Z"), Instant.parse("2026-10-25T01:15:00Z"));
    // 02:30 CET, the second time round: inside the weekly window's second occurrence.
    Throwable refused =
        catchThrowable(
            () ->
                scheduling.once(
                    calendar,
                    Instant.parse("2026-10-25T01:30:00Z"),
                    Instant.parse("2026-10-25T01:31:00Z")));
    assertThat(constraintOf(refused)).isEqualTo("windows_no_overlap");
    // 01:30 CET to 03:30 CEST: the clock skips 02:00-03:00, so the weekly window is not touched.
    scheduling.once(
        calendar, Instant.parse("2026-03-29T00:30:00Z"), Instant.parse("2026-03-29T01:30:00Z"));
    assertThat(weekly.id()).isPositive();
  }

  @Test
  void who_holds_the_calendar_agrees_with_the_occurrences_and_with_java_time_minute_by_minute()
      throws SQLException {
    CalendarRow calendar = scheduling.calendar("Europe/Berlin");
    Map<Long, int[]> windows = new HashMap<>();
    for (int[] w :
        new int[][] {
          {SUNDAY + 23 * 3600, 3600}, // Sunday 23:00 to Monday 01:00, wrapping
          {SUNDAY + 3600 + 1800, SUN_0215}, // Sunday 01:30 to 02:15
          {SUN_0215, SUN_0245}, // Sunday 02:15 to 02:45
          {SUN_0245, SUNDAY + 3 * 3600 + 1800}, // Sunday 02:45 to 03:30
          {3 * 86_400 + 12 * 3600, 3 * 86_400 + 13 * 3600 + 7}
        }) {
      windows.put(scheduling.weekly(calendar, w[0], w[1]).id(), w);
    }

    int checked = 0;
    try (Connection c = scheduling.dataSource().getConnection()) {
      for (Instant[] week :
          new Instant[][] {{SPRING_WEEK, SPRING_WEEK_END}, {FALL_WEEK, FALL_WEEK_END}}) {
        List<Occurrence> occurrences =
            occupancy.occurrences(c, calendar.id(), week[0], week[1], 1000);
        for (Instant t = week[0]; t.isBefore(week[1]); t = t.plusSeconds(60)) {
          for (Instant at : new Instant[] {t, t.plusSeconds(7), t.plusSeconds(59)}) {
            Optional<Long> held =
                occupancy.at(c, calendar.id(), at).orElseThrow().window().map(WindowRow::id);
            Optional<Long> byOccurrence =
                occurrences.stream()
                    .filter(o -> !o.start().isAfter(at) && o.end().isAfter(at))
                    .map(o -> o.window().id())
                    .findFirst();
            Optional<Long> byJavaTime = javaTimeHolder(windows, at);
            assertThat(held).as("at " + at + " by occurrences").isEqualTo(byOccurrence);
            assertThat(held).as("at " + at + " by java.time").isEqualTo(byJavaTime);
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(60_000);
  }

  private static Optional<Long> javaTimeHolder(Map<Long, int[]> windows, Instant at) {
    LocalDateTime local = LocalDateTime.ofInstant(at, BERLIN);
    int second =
        (local.getDayOfWeek().getValue() - 1) * 86_400 + local.toLocalTime().toSecondOfDay();
    return windows.entrySet().stream()
        .filter(
            e -> {
              int[] w = e.getValue();
              return w[0] < w[1]
                  ? second >= w[0] && second < w[1]
                  : second >= w[0] || second < w[1];
            })
        .map(Map.Entry::getKey)
        .findFirst();
  }

  private List<List<Instant>> occurrences(CalendarRow calendar, Instant from, Instant to) {
    return scheduling
        .transactions()
        .read(
            c ->
                occupancy.occurrences(c, calendar.id(), from, to, 1000).stream()
                    .map(o -> List.of(o.start(), o.end()))
                    .toList());
  }

  private Optional<Long> holder(CalendarRow calendar, String at) {
    return holding(calendar, at).window().map(WindowRow::id);
  }

  private Holding holding(CalendarRow calendar, String at) {
    return scheduling
        .transactions()
        .read(c -> occupancy.at(c, calendar.id(), Instant.parse(at)).orElseThrow());
  }

  private static List<Instant> span(String from, String to) {
    Instant start = Instant.parse(from);
    Instant end = Instant.parse(to);
    assertThat(Duration.between(start, end)).isPositive();
    return List.of(start, end);
  }
}
