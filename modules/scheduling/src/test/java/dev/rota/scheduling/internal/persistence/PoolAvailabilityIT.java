package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import dev.rota.scheduling.PoolAvailability.State;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's question, "may a task of node N run on pool P at T", against a tenancy tree: a
 * reservation of a project serves the project and everything below it, nobody else.
 */
class PoolAvailabilityIT {

  private static final int TUE_2200 = 86_400 + 22 * 3600;
  private static final int WED_0600 = 2 * 86_400 + 6 * 3600;

  /** Tuesday 23:00 in Berlin in winter. */
  private static final Instant TUESDAY_NIGHT = Instant.parse("2030-01-08T22:00:00Z");

  private final TestScheduling scheduling = new TestScheduling();
  private final PoolAvailability availability = new PoolAvailabilityService();

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void a_reservation_serves_its_node_and_the_nodes_below_it_and_no_one_else() {
    long group = scheduling.rootGroup();
    long project = scheduling.child(group, "project");
    long subproject = scheduling.child(project, "subproject");
    long other = scheduling.child(group, "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    WindowRow reservation = scheduling.reservation(pool, project, TUE_2200, WED_0600);

    assertThat(check(project, pool, TUESDAY_NIGHT))
        .isEqualTo(new PoolStatus(State.RESERVED_FOR_NODE, reservation.id(), project));
    assertThat(check(subproject, pool, TUESDAY_NIGHT).state()).isEqualTo(State.RESERVED_FOR_NODE);
    assertThat(check(other, pool, TUESDAY_NIGHT).state()).isEqualTo(State.RESERVED_FOR_OTHER);
    assertThat(check(group, pool, TUESDAY_NIGHT).state()).isEqualTo(State.RESERVED_FOR_OTHER);
    assertThat(check(other, pool, TUESDAY_NIGHT).mayRun()).isFalse();
    assertThat(check(subproject, pool, TUESDAY_NIGHT).mayRun()).isTrue();
  }

  @Test
  void maintenance_stops_everyone_and_outside_the_windows_the_pool_is_free() {
    long project = scheduling.child(scheduling.rootGroup(), "project");
    CalendarRow pool = scheduling.calendar("Europe/Berlin");
    Instant sunday = Instant.parse("2030-01-13T08:00:00Z");
    WindowRow maintenance = scheduling.once(pool, sunday, sunday.plusSeconds(7200));

    assertThat(check(project, pool, sunday.plusSeconds(60)))
        .isEqualTo(new PoolStatus(State.MAINTENANCE, maintenance.id(), null));
    assertThat(check(project, pool, sunday.plusSeconds(7200))).isEqualTo(PoolStatus.FREE);
    assertThat(check(project, pool, TUESDAY_NIGHT).mayRun()).isTrue();
    PoolStatus noCalendar =
        scheduling
            .transactions()
            .read(
                c ->
                    availability.check(
                        c, project, "no-such-pool-" + TestScheduling.unique(), sunday));
    assertThat(noCalendar).isEqualTo(PoolStatus.FREE);
  }

  @Test
  void the_check_is_one_scan_of_the_exclusion_index_even_where_a_scan_of_the_table_is_cheap() {
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
                      c.prepareStatement("EXPLAIN (COSTS OFF) " + OccupancyRepository.POOL)) {
                    explain.setObject(1, OffsetDateTime.parse("2030-01-08T22:00:00Z"));
                    explain.setLong(2, 1L);
                    explain.setString(3, "pool-a");
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

  private PoolStatus check(long node, CalendarRow pool, Instant at) {
    return scheduling.transactions().read(c -> availability.check(c, node, pool.name(), at));
  }
}
