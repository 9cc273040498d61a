package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a gang may go and why it waits, against the real database: tasks with hostPath volumes land
 * only on the volumes' nodes, and capacity, gang-does-not-fit and volume-nodes-full are told apart
 * with their numbers.
 */
class PlacementReasonsIT {

  private final TestQueue queue = new TestQueue();
  private final AdmissionService admission =
      new AdmissionService(
          queue.transactions(), new PoolAvailabilityService(), 200, Duration.ofDays(365));

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void
      a_task_with_a_hostpath_volume_lands_only_on_the_volumes_node_though_best_fit_prefers_another() {
    String big = queue.node(12);
    String small = queue.node(4);
    long project = queue.project();
    long pinned = queue.submit(project, 1, 4, null, List.of(big));
    long free = queue.submit(project, 1, 4, null, null);

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.placements(pinned)).containsExactly(big);
    assertThat(queue.placements(free)).containsExactly(small); // best fit, for comparison
  }

  @Test
  void volume_nodes_full_is_recorded_with_the_numbers_when_only_other_nodes_are_free() {
    String withVolume = queue.node(4);
    String other = queue.node(4);
    long project = queue.project();
    long filler = queue.submit(project, 1, 4, null, List.of(withVolume));
    admission.admit(queue.pool, Instant.now());
    long task = queue.submit(project, 2, 1, null, List.of(withVolume));

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.placements(filler)).containsExactly(withVolume);
    assertThat(queue.task(task).state()).isEqualTo("pending");
    assertThat(queue.task(task).waitReason()).isEqualTo("volume-nodes-full");
    assertThat(queue.task(task).waitDetail())
        .contains(
            "\"needed\": 2",
            "\"freeInPool\": 4",
            "\"placeableInPool\": 4",
            "\"volumeNodes\": 1",
            "\"freeOnVolumeNodes\": 0",
            "\"placeableOnVolumeNodes\": 0");
    assertThat(queue.held(other)).isZero();
  }

  @Test
  void too_few_free_gpus_is_capacity_and_enough_gpus_spread_too_thin_is_gang_does_not_fit() {
    queue.node(3);
    queue.node(3);
    long project = queue.project();
    long spread = queue.submit(project, 3, 2, null, null);
    long tooMany = queue.submit(project, 1, 7, null, null);

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(spread).waitReason()).isEqualTo("gang-does-not-fit");
    assertThat(queue.task(spread).waitDetail())
        .contains("\"needed\": 6", "\"freeInPool\": 6", "\"placeableInPool\": 2");
    assertThat(queue.task(tooMany).waitReason()).isEqualTo("capacity");
    assertThat(queue.task(tooMany).waitDetail()).contains("\"needed\": 7", "\"freeInPool\": 6");
  }

  @Test
  void a_starving_gang_that_does_not_fit_keeps_lower_priority_work_waiting_behind_it() {
    queue.node(3);
    queue.node(3);
    long project = queue.project();
    long spread = queue.submit(project, 3, 2, "rota-normal");
    long low = queue.submit(project, 1, 1, "rota-low");
    AdmissionService impatient =
        new AdmissionService(
            queue.transactions(), new PoolAvailabilityService(), 200, Duration.ZERO);

    impatient.admit(queue.pool, Instant.now().plusSeconds(60));

    assertThat(queue.task(spread).waitReason()).isEqualTo("gang-does-not-fit");
    assertThat(queue.task(low).state()).isEqualTo("pending");
    assertThat(queue.task(low).waitReason()).isEqualTo("starving-task-ahead");
  }
}
