package dev.rota.scheduling.internal.persistence;

import static dev.rota.scheduling.internal.persistence.TestScheduling.constraintOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exclusion constraint compares the instants a window holds from its first occurrence on, so
 * that a weekly window taking effect in the middle of a one-off window conflicts with it only when
 * one of its occurrences does (V11); and every stored instant lies within 1970-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z.
 */
class FirstOccurrenceIT {

  private static final int MON_0930 = 9 * 3600 + 1800;
  private static final int MON_1000 = 10 * 3600;
  private static final int SUN = 6 * 86_400;

  private final TestScheduling scheduling = new TestScheduling();
  private final CalendarRow utc = scheduling.calendar("UTC");

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void a_weekly_window_whose_first_occurrence_follows_a_one_off_maintenance_is_accepted() {
    scheduling.once(
        utc, Instant.parse("2027-03-01T09:00:00Z"), Instant.parse("2027-03-03T09:00:00Z"));

    WindowRow weekly = weekly(utc, MON_0930, MON_1000, "2027-03-02T00:00:00Z");

    assertThat(weekly.from()).isEqualTo(Instant.parse("2027-03-02T00:00:00Z"));
    assertThat(heldFrom(weekly)).isEqualTo(Instant.parse("2027-03-08T09:30:00Z"));
  }

  @Test
  void a_weekly_window_whose_first_occurrence_falls_inside_a_one_off_is_refused() {
    scheduling.once(
        utc, Instant.parse("2027-03-01T09:00:00Z"), Instant.parse("2027-03-03T09:00:00Z"));

    assertThat(constraintOf(catchThrowable(() -> weekly(utc, MON_0930, MON_1000, "2027-03-01"))))
        .isEqualTo("windows_no_overlap");
    assertThat(
            constraintOf(
                catchThrowable(() -> weekly(utc, MON_0930, MON_1000, "2027-03-01T09:59:59Z"))))
        .isEqualTo("windows_no_overlap");
    weekly(utc, MON_0930, MON_1000, "2027-03-01T10:00:00Z");
  }

  @Test
  void a_one_off_fits_before_the_first_occurrence_of_a_weekly_window_but_not_at_it() {
    weekly(utc, MON_0930, MON_1000, "2027-03-02T00:00:00Z");

    scheduling.once(
        utc, Instant.parse("2027-03-01T09:00:00Z"), Instant.parse("2027-03-03T09:00:00Z"));
    assertThat(
            constraintOf(
                catchThrowable(
                    () ->
                        scheduling.once(
                            utc,
                            Instant.parse("2027-03-08T09:59:00Z"),
                            Instant.parse("2027-03-08T11:00:00Z")))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void two_weekly_windows_conflict_whatever_their_first_occurrences() {
    weekly(utc, MON_0930, MON_1000, "2027-03-02T00:00:00Z");

    assertThat(
            constraintOf(
                catchThrowable(() -> weekly(utc, MON_0930 + 60, MON_1000, "2031-01-01T00:00:00Z"))))
        .isEqualTo("windows_no_overlap");
  }

  @Test
  void the_first_occurrence_skips_the_hour_a_spring_forward_removes() {
    // Berlin, Sunday 2027-03-28: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    CalendarRow berlin = scheduling.calendar("Europe/Berlin");
    CalendarRow alsoBerlin = scheduling.calendar("Europe/Berlin");

    WindowRow across = weekly(berlin, SUN + 2 * 3600 + 600, SUN + 3 * 3600 + 1200, "2027-03-27");
    WindowRow inside =
        weekly(alsoBerlin, SUN + 2 * 3600 + 600, SUN + 2 * 3600 + 3000, "2027-03-27T23:00:00Z");

    assertThat(heldFrom(across)).isEqualTo(Instant.parse("2027-03-28T01:00:00Z"));
    assertThat(heldFrom(inside)).isEqualTo(Instant.parse("2027-04-04T00:10:00Z"));
  }

  @Test
  void the_held_range_is_the_databases_to_compute_whatever_a_writer_sets() {
    WindowRow weekly = weekly(utc, MON_0930, MON_1000, "2027-03-02T00:00:00Z");

    execute(
        "UPDATE scheduling.windows SET held = tstzrange('2027-03-02', NULL) WHERE id = ?", weekly);

    assertThat(heldFrom(weekly)).isEqualTo(Instant.parse("2027-03-08T09:30:00Z"));
  }

  @Test
  void instants_outside_1970_to_9999_are_refused_by_the_database() {
    assertThat(constraintOf(catchThrowable(() -> weekly(utc, 0, 60, "1969-12-31T23:59:59Z"))))
        .isEqualTo("windows_effective_in_range");
    // The driver sends a year before 4713 BC as -infinity, which V3 stored.
    assertThat(constraintOf(catchThrowable(() -> weekly(utc, 0, 60, "-5000-01-01T00:00:00Z"))))
        .isEqualTo("windows_effective_in_range");
    assertThat(constraintOf(catchThrowable(() -> weekly(utc, 0, 60, "+10000-01-01T00:00:00Z"))))
        .isEqualTo("windows_effective_in_range");
    assertThat(
            constraintOf(
                catchThrowable(
                    () ->
                        scheduling.once(
                            utc,
                            Instant.parse("9999-12-31T23:00:00Z"),
                            Instant.parse("+10000-01-01T00:00:00Z")))))
        .isEqualTo("windows_effective_in_range");

    scheduling.once(
        utc, Instant.parse("9999-12-31T22:00:00Z"), Instant.parse("9999-12-31T23:59:59Z"));
    scheduling.once(
        utc, Instant.parse("1970-01-01T00:00:00Z"), Instant.parse("1970-01-01T01:00:00Z"));
    weekly(utc, 3600, 7200, "9999-12-31T23:59:59Z");
  }

  private WindowRow weekly(CalendarRow calendar, int start, int end, String from) {
    Instant since = from.length() == 10 ? Instant.parse(from + "T00:00:00Z") : Instant.parse(from);
    return scheduling
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
                        new WeekWindow(start, end),
                        since));
  }

  private Instant heldFrom(WindowRow window) {
    return scheduling
        .transactions()
        .read(
            c -> {
              try (PreparedStatement query =
                  c.prepareStatement("SELECT lower(held) FROM scheduling.windows WHERE id = ?")) {
                query.setLong(1, window.id());
                try (ResultSet row = query.executeQuery()) {
                  row.next();
                  return row.getObject(1, OffsetDateTime.class).toInstant();
                }
              }
            });
  }

  private void execute(String sql, WindowRow window) {
    scheduling
        .transactions()
        .write(
            TestScheduling.ACTOR,
            c -> {
              try (PreparedStatement update = c.prepareStatement(sql)) {
                update.setLong(1, window.id());
                return update.executeUpdate();
              }
            });
  }
}
