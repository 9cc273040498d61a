package dev.rota.scheduling.internal.persistence;

import static dev.rota.scheduling.internal.persistence.TestScheduling.constraintOf;
import static dev.rota.scheduling.internal.persistence.TestScheduling.sqlStateOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exclusion constraint and checks of scheduling.windows against real PostgreSQL: what fits,
 * what overlaps, and what is not a window at all. Week seconds: Monday 00:00 is 0, Saturday 22:00
 * is 511200, Monday 06:00 is 21600, the week's end is 604800.
 */
class WeeklyWindowsIT {

  private static final int MON_0600 = 6 * 3600;
  private static final int MON_0800 = 8 * 3600;
  private static final int TUE_2200 = 86_400 + 22 * 3600;
  private static final int WED_0600 = 2 * 86_400 + 6 * 3600;
  private static final int SAT_2200 = 5 * 86_400 + 22 * 3600;
  private static final int WEEK = 604_800;

  private final TestScheduling scheduling = new TestScheduling();
  private final CalendarRow calendar = scheduling.calendar("Europe/Berlin");

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void touching_windows_fit_side_by_side() {
    scheduling.weekly(calendar, TUE_2200, WED_0600);
    scheduling.weekly(calendar, WED_0600, WED_0600 + 3600);
    scheduling.weekly(calendar, TUE_2200 - 60, TUE_2200);

    assertThat(count()).isEqualTo(3);
  }

  @Test
  void a_window_wrapping_the_week_end_is_refused_against_a_monday_morning_one() {
    scheduling.weekly(calendar, 3600, MON_0800);

    Throwable refused = catchThrowable(() -> scheduling.weekly(calendar, SAT_2200, MON_0600));

    assertThat(sqlStateOf(refused)).isEqualTo("23P01");
    assertThat(constraintOf(refused)).isEqualTo("windows_no_overlap");
  }

  @Test
  void a_monday_morning_window_is_refused_against_a_wrapping_one_and_the_gap_stays_free() {
    scheduling.weekly(calendar, SAT_2200, MON_0600);

    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, 0, 60))))
        .isEqualTo("windows_no_overlap");
    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, WEEK - 60, WEEK))))
        .isEqualTo("windows_no_overlap");
    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, WEEK - 1, 1))))
        .isEqualTo("windows_no_overlap");
    scheduling.weekly(calendar, MON_0600, MON_0800);
    scheduling.weekly(calendar, SAT_2200 - 3600, SAT_2200);
  }

  @Test
  void two_wrapping_windows_always_overlap() {
    scheduling.weekly(calendar, WEEK - 10, 10);

    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, WEEK - 1, 1))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void the_whole_week_is_one_window_that_leaves_room_for_nothing() {
    scheduling.weekly(calendar, 0, WEEK);

    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, WEEK - 1, WEEK))))
        .isEqualTo("windows_no_overlap");
    assertThat(constraintOf(catchThrowable(() -> scheduling.weekly(calendar, 0, 1))))
        .isEqualTo("windows_no_overlap");
    assertThat(
            constraintOf(
                catchThrowable(
                    () ->
                        scheduling.once(
                            calendar,
                            Instant.parse("2030-06-05T10:00:00Z"),
                            Instant.parse("2030-06-05T10:00:01Z")))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void windows_of_different_calendars_do_not_conflict() {
    CalendarRow other = scheduling.calendar("Europe/Berlin");
    WindowRow first = scheduling.weekly(calendar, TUE_2200, WED_0600);

    Throwable onOther = catchThrowable(() -> scheduling.weekly(other, TUE_2200, WED_0600));
    Throwable onSame = catchThrowable(() -> scheduling.weekly(calendar, TUE_2200, WED_0600));

    assertThat(onOther).as("the same window on another calendar").isNull();
    assertThat(constraintOf(onSame))
        .as("the same window on the same calendar")
        .isEqualTo("windows_no_overlap");
    assertThat(count()).isEqualTo(1);
    assertThat(count(other)).isEqualTo(1);
    assertThat(first.calendarId()).isEqualTo(calendar.id());
  }

  @Test
  void zero_length_and_out_of_range_windows_are_refused_by_the_database() {
    assertThat(constraintOf(insertRaw(100, 100))).isEqualTo("windows_not_empty");
    assertThat(constraintOf(insertRaw(-1, 100))).isEqualTo("windows_start_in_week");
    assertThat(constraintOf(insertRaw(WEEK, 100))).isEqualTo("windows_start_in_week");
    assertThat(constraintOf(insertRaw(100, 0))).isEqualTo("windows_end_in_week");
    assertThat(constraintOf(insertRaw(100, WEEK + 1))).isEqualTo("windows_end_in_week");
    assertThat(count()).isZero();
  }

  @Test
  void a_one_off_window_is_a_span_of_whole_seconds_of_at_most_a_year() {
    Instant from = Instant.parse("2030-06-05T10:00:00Z");

    assertThat(
            constraintOf(
                catchThrowable(() -> scheduling.once(calendar, from, from.plusMillis(500)))))
        .isEqualTo("windows_effective_bounds");
    assertThat(
            constraintOf(
                catchThrowable(
                    () -> scheduling.once(calendar, from, from.plusSeconds(367 * 86_400L)))))
        .isEqualTo("windows_once_at_most_a_year");
    assertThat(sqlStateOf(catchThrowable(() -> scheduling.once(calendar, from, from))))
        .startsWith("23");
  }

  @Test
  void one_off_windows_exclude_each_other_by_instant_not_by_time_of_week() {
    Instant monday = Instant.parse("2030-06-03T08:00:00Z");
    scheduling.once(calendar, monday, monday.plusSeconds(3600));

    scheduling.once(
        calendar, monday.plusSeconds(7 * 86_400), monday.plusSeconds(7 * 86_400 + 3600));
    scheduling.once(calendar, monday.plusSeconds(3600), monday.plusSeconds(7200));
    assertThat(
            constraintOf(
                catchThrowable(
                    () ->
                        scheduling.once(
                            calendar, monday.plusSeconds(3599), monday.plusSeconds(3601)))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void a_one_off_window_is_refused_where_a_weekly_window_holds_the_calendar() {
    // Tuesday 22:00 to Wednesday 06:00 in Berlin (UTC+2 in June): 20:00 to 04:00 UTC.
    scheduling.weekly(calendar, TUE_2200, WED_0600);

    assertThat(
            constraintOf(
                catchThrowable(
                    () ->
                        scheduling.once(
                            calendar,
                            Instant.parse("2030-06-05T03:59:00Z"),
                            Instant.parse("2030-06-05T05:00:00Z")))))
        .isEqualTo("windows_no_overlap");
    scheduling.once(
        calendar, Instant.parse("2030-06-05T04:00:00Z"), Instant.parse("2030-06-05T05:00:00Z"));
    assertThat(
            constraintOf(
                catchThrowable(
                    () -> scheduling.weekly(calendar, WED_0600 + 1800, WED_0600 + 1801))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void a_weekly_window_does_not_conflict_with_one_off_windows_that_ended_before_it_takes_effect() {
    Instant past = Instant.parse("2021-06-01T10:00:00Z");
    scheduling.once(calendar, past, past.plusSeconds(3600));

    WindowRow weekly =
        scheduling
            .transactions()
            .write(
                TestScheduling.ACTOR,
                c ->
                    new WindowRepository()
                        .insertWeekly(
                            c,
                            calendar.id(),
                            WindowKind.MAINTENANCE,
                            null,
                            null,
                            new WeekWindow(0, WEEK),
                            null));

    assertThat(weekly.from()).isAfter(past);
  }

  private Throwable insertRaw(int start, int end) {
    return catchThrowable(
        () -> {
          try (Connection c = scheduling.dataSource().getConnection();
              PreparedStatement insert =
                  c.prepareStatement(
                      "INSERT INTO scheduling.windows (calendar_id, kind, start_second, end_second,"
                          + " effective) VALUES (?, 'maintenance', ?, ?,"
                          + " tstzrange(now()::timestamptz(0), NULL))")) {
            insert.setLong(1, calendar.id());
            insert.setInt(2, start);
            insert.setInt(3, end);
            insert.executeUpdate();
          }
        });
  }

  private long count() {
    return count(calendar);
  }

  private long count(CalendarRow calendar) {
    return scheduling
        .transactions()
        .read(
            c -> {
              try (PreparedStatement query =
                  c.prepareStatement(
                      "SELECT count(*) FROM scheduling.windows WHERE calendar_id = ?")) {
                query.setLong(1, calendar.id());
                try (var row = query.executeQuery()) {
                  row.next();
                  return row.getLong(1);
                }
              }
            });
  }
}
