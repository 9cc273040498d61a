package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Caller;
import dev.rota.queue.QueueException.PoolNotFound;
import dev.rota.queue.QueueException.PoolViewForbidden;
import dev.rota.queue.internal.application.PoolQueries.Pool;
import dev.rota.queue.internal.persistence.CapacityRepository;
import dev.rota.queue.internal.persistence.CapacityRepository.ClusterNodeRow;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository.DepthRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository.NodeRow;
import dev.rota.queue.internal.persistence.TaskQueryRepository.QueueEntry;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import dev.rota.tenancy.internal.application.AuthorizationService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pools and their queues against the real database: nodes and their free GPUs, depth per class,
 * admission order with positions, and the redaction of tasks the caller cannot see.
 */
class PoolQueriesIT {

  private final TestQueue queue = new TestQueue();
  private final Callers callers = new Callers(queue.transactions());
  private final PoolQueries pools =
      new PoolQueries(queue.transactions(), new AuthorizationService());

  @AfterEach
  void clean_up() {
    queue.close();
    callers.close();
  }

  @Test
  void the_queue_is_in_admission_order_with_positions_from_one() {
    queue.node(8);
    long project = queue.project();
    long low = queue.submit(project, 1, 1, "rota-low");
    long older = queue.submit(project, 1, 1, "rota-normal");
    long younger = queue.submit(project, 1, 1, "rota-normal");
    long high = queue.submit(project, 1, 1, "rota-high");

    List<QueueEntry> entries = pools.queue(Callers.platformAdmin(), queue.pool, 0, 100);

    assertThat(entries)
        .extracting(e -> e.position() + ":" + e.task().id())
        .containsExactly("1:" + high, "2:" + older, "3:" + younger, "4:" + low);
    assertThat(pools.queue(Callers.platformAdmin(), queue.pool, 2, 1))
        .extracting(e -> e.position() + ":" + e.task().id())
        .containsExactly("3:" + younger);
  }

  @Test
  void admitted_tasks_leave_the_queue_and_the_rest_move_up() {
    queue.node(4);
    long project = queue.project();
    queue.submit(project, 1, 4, "rota-high");
    long waiting = queue.submit(project, 1, 4, "rota-normal");
    new AdmissionService(
            queue.transactions(), new PoolAvailabilityService(), 200, Duration.ofDays(1))
        .admit(queue.pool, Instant.now());

    assertThat(pools.queue(Callers.platformAdmin(), queue.pool, 0, 100))
        .extracting(e -> e.position() + ":" + e.task().id())
        .containsExactly("1:" + waiting);
  }

  @Test
  void a_caller_sees_only_its_own_tenants_entries_in_full() {
    queue.node(8);
    long mine = queue.project();
    long theirs = queue.project();
    long their = queue.submit(theirs, 2, 3, "rota-high");
    long my = queue.submit(mine, 1, 1, "rota-normal");
    Caller member = callers.bound("member", mine);

    List<QueueEntry> entries = pools.queue(member, queue.pool, 0, 100);

    assertThat(entries).extracting(QueueEntry::visible).containsExactly(false, true);
    assertThat(entries.get(0).task().id()).isEqualTo(their);
    assertThat(entries.get(1).task().id()).isEqualTo(my);
  }

  @Test
  void an_unknown_pool_is_not_found_and_a_caller_without_any_role_is_refused() {
    Caller viewer = callers.bound("viewer", queue.project());

    assertThatThrownBy(() -> pools.queue(viewer, "no-such-pool-" + TestQueue.unique(), 0, 9))
        .isInstanceOf(PoolNotFound.class);
    assertThatThrownBy(() -> pools.queue(callers.stranger(), queue.pool, 0, 9))
        .isInstanceOf(PoolViewForbidden.class);
    assertThatThrownBy(() -> pools.pools(callers.stranger())).isInstanceOf(PoolViewForbidden.class);
  }

  @Test
  void a_pool_shows_its_nodes_with_what_is_held_and_free_and_its_depth_per_class() {
    String full = queue.node(8);
    String cordoned = queue.node(4, true, true);
    queue
        .transactions()
        .write(
            TestQueue.ACTOR,
            c -> {
              new CapacityRepository()
                  .upsert(c, new ClusterNodeRow(full, queue.pool, 8, true, false, 2));
              return null;
            });
    long project = queue.project();
    queue.submit(project, 1, 3, "rota-normal");
    new AdmissionService(
            queue.transactions(), new PoolAvailabilityService(), 200, Duration.ofDays(1))
        .admit(queue.pool, Instant.now());
    queue.submit(project, 1, 8, "rota-normal");
    queue.submit(project, 1, 8, "rota-high");
    queue.submit(project, 1, 8, "rota-high");
    Caller viewer = callers.bound("viewer", project);

    Pool pool =
        pools.pools(viewer).stream().filter(p -> p.name().equals(queue.pool)).findFirst().get();

    assertThat(pool.nodes())
        .containsExactly(
            new NodeRow(full, queue.pool, 8, 3, 2, true, false),
            new NodeRow(cordoned, queue.pool, 4, 0, 0, true, true));
    assertThat(pool.nodes().get(0).freeGpus()).isEqualTo(3);
    assertThat(pool.depth())
        .containsExactly(
            new DepthRow(queue.pool, "rota-high", 10000, 2),
            new DepthRow(queue.pool, "rota-normal", 1000, 1));
  }

  @Test
  void priority_classes_are_listed_highest_value_first() {
    List<PriorityClassRow> classes = pools.priorityClasses();

    assertThat(classes)
        .containsSubsequence(
            new PriorityClassRow("rota-high", 10000, "PreemptLowerPriority", false),
            new PriorityClassRow("rota-normal", 1000, "PreemptLowerPriority", true),
            new PriorityClassRow("rota-batch-never", 500, "Never", false),
            new PriorityClassRow("rota-low", 100, "PreemptLowerPriority", false));
  }
}
