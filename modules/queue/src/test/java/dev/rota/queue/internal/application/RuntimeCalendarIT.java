package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * maxRuntime against the pool's calendar: a task that would run into the next maintenance window,
 * or into a reservation held for someone else, is not started; shorter tasks, tasks without a
 * maxRuntime and tasks under their own ancestor's reservation are.
 */
class RuntimeCalendarIT {

  private static final Instant NOW = Instant.parse("2031-03-04T10:00:00Z");

  private final TestQueue queue = new TestQueue();
  private final AdmissionService admission =
      new AdmissionService(
          queue.transactions(), new PoolAvailabilityService(), 200, Duration.ofDays(365));

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void a_task_whose_max_runtime_crosses_the_next_maintenance_waits_and_shorter_ones_start() {
    queue.node(8);
    long project = queue.project();
    long calendar = queue.calendar();
    Instant start = NOW.plus(Duration.ofHours(2));
    long maintenance = queue.window(calendar, null, start, start.plus(Duration.ofHours(2)));
    long crossing = queue.submit(project, 1, 1, Duration.ofHours(3), null);
    long exactlyUntil = queue.submit(project, 1, 1, Duration.ofHours(2), null);
    long unbounded = queue.submit(project, 1, 1, null, null);

    admission.admit(queue.pool, NOW);

    assertThat(queue.task(crossing).state()).isEqualTo("pending");
    assertThat(queue.task(crossing).waitReason()).isEqualTo("maintenance-ahead");
    assertThat(queue.task(crossing).waitDetail())
        .contains(
            "\"windowId\": " + maintenance,
            "\"startsAt\": \"2031-03-04T12:00:00Z\"",
            "\"maxRuntimeSeconds\": 10800");
    assertThat(queue.task(exactlyUntil).state()).isEqualTo("admitted");
    assertThat(queue.task(unbounded).state()).isEqualTo("admitted");

    admission.admit(queue.pool, start.plus(Duration.ofHours(2))); // after the window
    assertThat(queue.task(crossing).state()).isEqualTo("admitted");
  }

  @Test
  void a_foreign_reservation_ahead_holds_a_long_task_back_and_an_ancestors_does_not() {
    queue.node(8);
    long group = queue.root(0, null);
    long project = queue.child(group, 0, null);
    long stranger = queue.project();
    long calendar = queue.calendar();
    Instant start = NOW.plus(Duration.ofHours(1));
    long reservation = queue.window(calendar, group, start, start.plus(Duration.ofHours(5)));
    long own = queue.submit(project, 1, 1, Duration.ofHours(3), null);
    long foreign = queue.submit(stranger, 1, 1, Duration.ofHours(3), null);
    long quick = queue.submit(stranger, 1, 1, Duration.ofMinutes(30), null);

    admission.admit(queue.pool, NOW);

    assertThat(queue.task(own).state()).isEqualTo("admitted");
    assertThat(queue.task(foreign).state()).isEqualTo("pending");
    assertThat(queue.task(foreign).waitReason()).isEqualTo("reservation-ahead");
    assertThat(queue.task(foreign).waitDetail())
        .contains("\"windowId\": " + reservation, "\"startsAt\": \"2031-03-04T11:00:00Z\"");
    assertThat(queue.task(quick).state()).isEqualTo("admitted");
  }
}
