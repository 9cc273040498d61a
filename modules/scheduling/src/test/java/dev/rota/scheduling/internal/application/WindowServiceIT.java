package dev.rota.scheduling.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rota.platform.Caller;
import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import dev.rota.scheduling.SchedulingException.WindowConflict;
import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.domain.WindowSpec;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.scheduling.internal.persistence.TestScheduling;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import java.sql.Connection;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Booking through the service: who may book what, and a refusal that names the window in the way.
 * Authorization is a stand-in that makes one user admin of one node.
 */
class WindowServiceIT {

  private static final Caller OPERATOR = new Caller("operator", "operator", "test", Set.of(), true);
  private static final Caller ALICE = new Caller("alice", "alice", "test", Set.of(), false);

  private final TestScheduling scheduling = new TestScheduling();
  private final long project = scheduling.child(scheduling.rootGroup(), "project");
  private final long elsewhere = scheduling.child(scheduling.rootGroup(), "project");
  private final WindowService service =
      new WindowService(scheduling.transactions(), aliceAdministers(project));
  private final CalendarRow calendar = scheduling.calendar("Europe/Berlin");

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void a_conflict_names_the_window_in_the_way() {
    WindowRow tuesdays = service.book(ALICE, calendar.id(), reservation("Tue 22:00", "Wed 06:00"));

    WindowConflict conflict =
        catchThrowableOfType(
            () -> service.book(ALICE, calendar.id(), reservation("Wed 05:00", "Wed 07:00")),
            WindowConflict.class);

    assertThat(conflict.conflictingWindowId()).isEqualTo(tuesdays.id());
    assertThat(conflict.extensions())
        .containsEntry("conflictingWindowId", tuesdays.id())
        .containsEntry("constraint", "windows_no_overlap");
    assertThat(conflict.getMessage()).contains("window " + tuesdays.id(), "Tue 22:00");
  }

  @Test
  void a_one_off_conflict_with_a_weekly_window_names_it_and_the_other_way_round() {
    WindowRow weekly = service.book(ALICE, calendar.id(), reservation("Tue 22:00", "Wed 06:00"));
    Instant tuesdayNight = Instant.parse("2030-01-08T22:00:00Z");

    WindowConflict once =
        catchThrowableOfType(
            () ->
                service.book(
                    OPERATOR,
                    calendar.id(),
                    WindowSpec.once(
                        WindowKind.MAINTENANCE,
                        null,
                        "disks",
                        tuesdayNight,
                        tuesdayNight.plusSeconds(60))),
            WindowConflict.class);
    WindowRow sunday =
        service.book(
            OPERATOR,
            calendar.id(),
            WindowSpec.once(
                WindowKind.MAINTENANCE,
                null,
                "disks",
                Instant.parse("2030-01-13T08:00:00Z"),
                Instant.parse("2030-01-13T10:00:00Z")));
    WindowConflict weeklyAfter =
        catchThrowableOfType(
            () -> service.book(ALICE, calendar.id(), reservation("Sun 09:30", "Sun 09:31")),
            WindowConflict.class);

    assertThat(once.conflictingWindowId()).isEqualTo(weekly.id());
    assertThat(weeklyAfter.conflictingWindowId()).isEqualTo(sunday.id());
  }

  @Test
  void only_admins_of_the_owner_book_reservations_and_only_platform_administrators_maintenance() {
    assertThat(
            catchThrowableOfType(
                () ->
                    service.book(
                        ALICE,
                        calendar.id(),
                        WindowSpec.weekly(
                            WindowKind.RESERVATION,
                            elsewhere,
                            null,
                            week("Mon 00:00", "Mon 01:00"),
                            null)),
                Forbidden.class))
        .isNotNull();
    assertThat(
            catchThrowableOfType(
                () ->
                    service.book(
                        ALICE,
                        calendar.id(),
                        WindowSpec.weekly(
                            WindowKind.MAINTENANCE,
                            null,
                            null,
                            week("Mon 00:00", "Mon 01:00"),
                            null)),
                Forbidden.class))
        .isNotNull();
    assertThat(
            catchThrowableOfType(
                () ->
                    service.book(
                        OPERATOR,
                        calendar.id(),
                        WindowSpec.weekly(
                            WindowKind.RESERVATION,
                            null,
                            null,
                            week("Mon 00:00", "Mon 01:00"),
                            null)),
                InvalidSchedulingRequest.class))
        .isNotNull();

    WindowRow maintenance =
        service.book(
            OPERATOR,
            calendar.id(),
            WindowSpec.weekly(
                WindowKind.MAINTENANCE, null, "patching", week("Sun 02:00", "Sun 04:00"), null));
    assertThat(
            catchThrowableOfType(
                () -> service.cancel(ALICE, calendar.id(), maintenance.id()), Forbidden.class))
        .isNotNull();
    service.cancel(OPERATOR, calendar.id(), maintenance.id());
    assertThat(service.page(OPERATOR, calendar.id(), null, 10)).isEmpty();
  }

  @Test
  void a_weekly_window_takes_effect_now_unless_told_otherwise() {
    WindowRow now =
        service.book(
            ALICE,
            calendar.id(),
            WindowSpec.weekly(
                WindowKind.RESERVATION, project, null, week("Mon 00:00", "Mon 01:00"), null));

    assertThat(now.from()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    assertThat(now.to()).isNull();
    assertThat(now.from().getNano()).isZero();
  }

  private WindowSpec reservation(String start, String end) {
    return WindowSpec.weekly(
        WindowKind.RESERVATION,
        project,
        "nightly training",
        week(start, end),
        TestScheduling.LONG_AGO);
  }

  private static WeekWindow week(String start, String end) {
    return WeekWindow.of(WeekTime.parse("start", start), WeekTime.parse("end", end));
  }

  /** Alice administers {@code node} and nothing else; platform administrators own everything. */
  private static Authorization aliceAdministers(long node) {
    return new Authorization() {
      @Override
      public Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId) {
        if (caller.platformAdmin()) {
          return Optional.of(Role.OWNER);
        }
        return Optional.of(nodeId == node ? Role.ADMIN : Role.VIEWER);
      }

      @Override
      public Role require(
          Connection connection, Caller caller, long nodeId, Role minimum, String what) {
        Role role = effectiveRole(connection, caller, nodeId).orElseThrow();
        if (!role.atLeast(minimum)) {
          throw new Forbidden(minimum, what);
        }
        return role;
      }
    };
  }
}
