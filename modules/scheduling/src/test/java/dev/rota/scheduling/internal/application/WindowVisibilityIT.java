package dev.rota.scheduling.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Caller;
import dev.rota.scheduling.SchedulingException.WindowConflict;
import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.domain.WindowSpec;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.scheduling.internal.persistence.OccupancyRepository.Occurrence;
import dev.rota.scheduling.internal.persistence.TestScheduling;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reading windows follows tenancy visibility: every caller sees when a calendar is held, but the
 * holder and label of a reservation only when they have a role at the holding node. Authorization
 * is a stand-in in which Alice has a role at her own project only (as tenancy answers for nodes she
 * cannot see: no role at all).
 */
class WindowVisibilityIT {

  private static final Caller OPERATOR = new Caller("operator", "operator", "test", Set.of(), true);
  private static final Caller ALICE = new Caller("alice", "alice", "test", Set.of(), false);

  private final TestScheduling scheduling = new TestScheduling();
  private final long mine = scheduling.child(scheduling.rootGroup(), "project");
  private final long theirs = scheduling.child(scheduling.rootGroup(), "project");
  private final Authorization authorization = aliceSeesOnly(mine);
  private final WindowService windows = new WindowService(scheduling.transactions(), authorization);
  private final CalendarViewService views =
      new CalendarViewService(scheduling.transactions(), authorization, Clock.systemUTC());
  private final CalendarRow calendar = scheduling.calendar("UTC");

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void a_reservation_of_a_node_the_caller_cannot_see_reads_as_reserved_without_owner_or_label() {
    WindowRow theirNights = book(OPERATOR, reservation(theirs, "secret project x", "Tue 22:00"));
    WindowRow myNights = book(ALICE, reservation(mine, "our training", "Thu 22:00"));

    WindowRow seen = windows.get(ALICE, calendar.id(), theirNights.id());
    assertThat(seen.ownerNodeId()).isNull();
    assertThat(seen.label()).isNull();
    assertThat(seen.kind()).isEqualTo(WindowKind.RESERVATION);
    assertThat(seen.startSecond()).isEqualTo(theirNights.startSecond());
    assertThat(windows.get(ALICE, calendar.id(), myNights.id()).ownerNodeId()).isEqualTo(mine);
    assertThat(windows.get(OPERATOR, calendar.id(), theirNights.id()).label())
        .isEqualTo("secret project x");
    assertThat(windows.page(ALICE, calendar.id(), null, 10))
        .extracting(WindowRow::ownerNodeId, WindowRow::label)
        .containsExactly(tuple(null, null), tuple(mine, "our training"));
  }

  @Test
  void availability_and_occurrences_hide_the_holder_of_a_reservation_the_caller_cannot_see() {
    WindowRow theirNights = book(OPERATOR, reservation(theirs, "secret project x", "Tue 22:00"));
    Instant tuesdayNight = Instant.parse("2030-01-08T23:00:00Z");

    Optional<WindowRow> holding = views.at(ALICE, calendar.id(), tuesdayNight).holding().window();
    assertThat(holding).hasValueSatisfying(w -> assertThat(w.id()).isEqualTo(theirNights.id()));
    assertThat(holding.get().ownerNodeId()).isNull();
    assertThat(holding.get().label()).isNull();
    assertThat(views.at(OPERATOR, calendar.id(), tuesdayNight).holding().window().get().label())
        .isEqualTo("secret project x");

    assertThat(
            views
                .occurrences(ALICE, calendar.id(), tuesdayNight.minusSeconds(86_400), tuesdayNight)
                .items())
        .hasSize(1)
        .extracting(Occurrence::window)
        .allSatisfy(
            w -> {
              assertThat(w.ownerNodeId()).isNull();
              assertThat(w.label()).isNull();
            });
  }

  @Test
  void maintenance_windows_keep_their_label_but_not_an_owner_the_caller_cannot_see() {
    WindowRow patching =
        book(
            OPERATOR,
            WindowSpec.weekly(
                WindowKind.MAINTENANCE, theirs, "patching", week("Sun 02:00", "Sun 04:00"), null));

    WindowRow seen = windows.get(ALICE, calendar.id(), patching.id());

    assertThat(seen.label()).isEqualTo("patching");
    assertThat(seen.ownerNodeId()).isNull();
  }

  @Test
  void a_conflict_with_a_reservation_the_caller_cannot_see_names_the_window_but_not_its_holder() {
    WindowRow theirNights = book(OPERATOR, reservation(theirs, "secret project x", "Tue 22:00"));

    WindowConflict conflict =
        catchThrowableOfType(
            () -> book(ALICE, reservation(mine, "ours", "Tue 23:00")), WindowConflict.class);

    assertThat(conflict.conflictingWindowId()).isEqualTo(theirNights.id());
    assertThat(conflict.getMessage())
        .contains("reservation weekly from Tue 22:00")
        .doesNotContain(String.valueOf(theirs), "held by", "secret");
  }

  private WindowRow book(Caller caller, WindowSpec spec) {
    return windows.book(caller, calendar.id(), spec);
  }

  private static WindowSpec reservation(long owner, String label, String start) {
    int second = WeekTime.parse("start", start).second();
    WeekWindow twoHours = new WeekWindow(second, second + 2 * 3600);
    return WindowSpec.weekly(
        WindowKind.RESERVATION, owner, label, twoHours, TestScheduling.LONG_AGO);
  }

  private static WeekWindow week(String start, String end) {
    return WeekWindow.of(WeekTime.parse("start", start), WeekTime.parse("end", end));
  }

  /** Alice administers {@code node} and has no role anywhere else; operators own everything. */
  private static Authorization aliceSeesOnly(long node) {
    return new Authorization() {
      @Override
      public Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId) {
        if (caller.platformAdmin()) {
          return Optional.of(Role.OWNER);
        }
        return nodeId == node ? Optional.of(Role.ADMIN) : Optional.empty();
      }

      @Override
      public Role require(
          Connection connection, Caller caller, long nodeId, Role minimum, String what) {
        return effectiveRole(connection, caller, nodeId)
            .orElseThrow(() -> new NodeNotFound(String.valueOf(nodeId)));
      }
    };
  }
}
