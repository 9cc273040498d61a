package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.Block;
import dev.rota.scheduling.PoolAvailability.State;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's runtime question, "would a task of node N that runs on pool P from T for D run into a
 * window", against real windows: weekly ones going round the week's end, spans longer than a week,
 * one-off maintenance, and reservations of the task's own ancestors that never block it.
 */
class NextBlockIT {

  private static final int SUN_2200 = 6 * 86_400 + 22 * 3600;
  private static final int MON_0200 = 2 * 3600;
  private static final int WED_1000 = 2 * 86_400 + 10 * 3600;
  private static final int WED_1100 = 2 * 86_400 + 11 * 3600;

  /** Sunday 2030-01-13 19:00 in Berlin (winter, UTC+1). */
  private static final Instant SUNDAY_EVENING = Instant.parse("2030-01-13T18:00:00Z");

  /** Monday 2030-01-14 03:00 in Berlin. */
  private static final Instant MONDAY_MORNING = Instant.parse("2030-01-14T02:00:00Z");

  private final TestScheduling scheduling = new TestScheduling();
  private final PoolAvailability availability = new PoolAvailabilityService();

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void a_weekly_maintenance_wrapping_the_weeks_end_blocks_a_run_that_reaches_it_and_no_shorter() {
    long project = scheduling.child(scheduling.rootGroup(), "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    WindowRow maintenance = scheduling.weekly(pool, SUN_2200, MON_0200);

    assertThat(next(project, pool, SUNDAY_EVENING, Duration.ofHours(3))).isEmpty();
    assertThat(next(project, pool, SUNDAY_EVENING, Duration.ofHours(4)))
        .contains(
            new Block(
                State.MAINTENANCE, maintenance.id(), null, Instant.parse("2030-01-13T21:00:00Z")));
    // From Monday 03:00 the next occurrence is six days and nineteen hours away, across the week.
    assertThat(next(project, pool, MONDAY_MORNING, Duration.ofHours(6 * 24 + 18))).isEmpty();
    assertThat(next(project, pool, MONDAY_MORNING, Duration.ofHours(6 * 24 + 20)))
        .map(Block::startsAt)
        .contains(Instant.parse("2030-01-20T21:00:00Z"));
    // Inside the occurrence after midnight: it holds the pool already.
    Instant mondayOne = Instant.parse("2030-01-14T00:00:00Z");
    assertThat(next(project, pool, mondayOne, Duration.ofMinutes(1)))
        .map(Block::startsAt)
        .contains(mondayOne);
  }

  @Test
  void a_run_longer_than_a_week_meets_every_weekly_window_and_the_first_is_reported() {
    long project = scheduling.child(scheduling.rootGroup(), "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    WindowRow wednesday = scheduling.weekly(pool, WED_1000, WED_1100);
    scheduling.weekly(pool, SUN_2200, MON_0200);

    Optional<Block> block = next(project, pool, MONDAY_MORNING, Duration.ofDays(30));

    assertThat(block)
        .contains(
            new Block(
                State.MAINTENANCE, wednesday.id(), null, Instant.parse("2030-01-16T09:00:00Z")));
  }

  @Test
  void a_one_off_maintenance_ahead_blocks_until_it_is_over() {
    long project = scheduling.child(scheduling.rootGroup(), "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    Instant start = MONDAY_MORNING.plus(Duration.ofDays(2));
    WindowRow maintenance = scheduling.once(pool, start, start.plus(Duration.ofHours(4)));

    assertThat(next(project, pool, MONDAY_MORNING, Duration.ofDays(2))).isEmpty();
    assertThat(next(project, pool, MONDAY_MORNING, Duration.ofDays(2).plusSeconds(1)))
        .contains(new Block(State.MAINTENANCE, maintenance.id(), null, start));
    assertThat(next(project, pool, start.plus(Duration.ofHours(4)), Duration.ofDays(300)))
        .isEmpty();
  }

  @Test
  void a_reservation_of_an_ancestor_never_blocks_and_anyone_elses_does() {
    long group = scheduling.rootGroup();
    long project = scheduling.child(group, "project");
    long stranger = scheduling.child(scheduling.rootGroup(), "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    WindowRow reservation = scheduling.reservation(pool, group, WED_1000, WED_1100);

    assertThat(next(project, pool, MONDAY_MORNING, Duration.ofDays(10))).isEmpty();
    assertThat(next(stranger, pool, MONDAY_MORNING, Duration.ofDays(10)))
        .contains(
            new Block(
                State.RESERVED_FOR_OTHER,
                reservation.id(),
                group,
                Instant.parse("2030-01-16T09:00:00Z")));
  }

  @Test
  void a_pool_without_a_calendar_never_blocks() {
    long project = scheduling.child(scheduling.rootGroup(), "project");

    Optional<Block> block =
        scheduling
            .transactions()
            .read(
                c ->
                    availability.nextBlock(
                        c,
                        project,
                        "no-such-pool-" + TestScheduling.unique(),
                        MONDAY_MORNING,
                        Duration.ofDays(366)));

    assertThat(block).isEmpty();
  }

  @Test
  void the_question_is_one_scan_of_the_exclusion_index() {
    List<String> plan =
        scheduling
            .transactions()
            .read(
                c -> {
                  try (PreparedStatement off =
                      c.prepareStatement("SET LOCAL enable_seqscan = off")) {
                    off.execute();
                  }
                  try (PreparedStatement explain =
                      c.prepareStatement("EXPLAIN (COSTS OFF) " + OccupancyRepository.NEXT_BLOCK)) {
                    explain.setObject(1, OffsetDateTime.parse("2030-01-14T02:00:00Z"));
                    explain.setObject(2, OffsetDateTime.parse("2030-01-15T02:00:00Z"));
                    explain.setString(3, "pool-a");
                    explain.setLong(4, 1L);
                    List<String> lines = new ArrayList<>();
                    try (ResultSet row = explain.executeQuery()) {
                      while (row.next()) {
                        lines.add(row.getString(1));
                      }
                    }
                    return lines;
                  }
                });

    assertThat(String.join("\n", plan)).contains("Index Scan using windows_no_overlap");
  }

  private Optional<Block> next(long node, CalendarRow pool, Instant from, Duration within) {
    return scheduling
        .transactions()
        .read(c -> availability.nextBlock(c, node, pool.name(), from, within));
  }
}
