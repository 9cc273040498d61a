package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Caller;
import dev.rota.queue.QueueException.TaskNotFound;
import dev.rota.queue.internal.application.TaskQueries.Explanation;
import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.persistence.PreemptionRecords.NodeShare;
import dev.rota.queue.internal.persistence.PreemptionRecords.PreemptedBy;
import dev.rota.queue.internal.persistence.PreemptionRecords.VictimRecord;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Standing;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import dev.rota.tenancy.internal.application.AuthorizationService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Explain against the real database: the task's place, the last round's reason and numbers, and the
 * pool's free room, quota chain and calendar as they are when asked.
 */
class ExplainIT {

  private static final Instant NOW = Instant.parse("2027-03-01T10:00:00Z");

  private final TestQueue queue = new TestQueue();
  private final Callers callers = new Callers(queue.transactions());
  private final AdmissionService admission =
      new AdmissionService(
          queue.transactions(), new PoolAvailabilityService(), 200, Duration.ofDays(365));

  @AfterEach
  void clean_up() {
    queue.close();
    callers.close();
  }

  private TaskQueries queries(PoolAvailability availability) {
    return new TaskQueries(
        queue.transactions(),
        new AuthorizationService(),
        availability,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void a_waiting_gang_learns_its_place_its_reason_and_the_free_room_now() {
    queue.node(8);
    queue.node(4);
    queue.node(4);
    long project = queue.project();
    queue.submit(project, 1, 6, "rota-high"); // takes 6 of the 8-GPU node
    long gang = queue.submit(project, 3, 3, "rota-normal"); // needs three nodes with 3 free
    long behind = queue.submit(project, 1, 1, "rota-low");
    admission.admit(queue.pool, Instant.now());
    Caller viewer = callers.bound("viewer", project);

    Explanation why = queries(new PoolAvailabilityService()).explain(viewer, gang);

    assertThat(why.at()).isEqualTo(NOW);
    assertThat(why.task().waitReason()).isEqualTo("gang-does-not-fit");
    assertThat(why.task().waitDetail()).contains("\"placeable\": 2");
    // behind was admitted on a 4-GPU node: free now 2 + 4 + 3 = 9 >= 9, yet only two nodes fit 3
    assertThat(queue.task(behind).state()).isEqualTo("admitted");
    assertThat(why.standing()).isEqualTo(new Standing(1, 1, 3, 9, 4, 2, 2));
    assertThat(why.blocking()).isEqualTo("gang-does-not-fit");
    assertThat(why.calendar()).isEqualTo(PoolStatus.FREE);
    assertThat(why.quota().admissible()).isTrue();
  }

  @Test
  void the_place_counts_higher_priority_and_older_tasks_ahead() {
    long project = queue.project();
    queue.node(1);
    queue.submit(project, 1, 1, "rota-normal");
    long second = queue.submit(project, 1, 1, "rota-normal");
    queue.submit(project, 1, 1, "rota-high");
    queue.submit(project, 1, 1, "rota-low");

    Explanation why =
        queries(new PoolAvailabilityService()).explain(Callers.platformAdmin(), second);

    assertThat(why.standing().position()).isEqualTo(3);
    assertThat(why.standing().queueLength()).isEqualTo(4);
    assertThat(why.task().waitReason()).as("no round has seen it yet").isNull();
    assertThat(why.blocking()).as("one GPU is free now").isNull();
  }

  @Test
  void the_quota_chain_shows_which_level_holds_the_task_back() {
    queue.node(16);
    long root = queue.root(4, 6);
    long project = queue.child(root, 4, null);
    queue.submit(project, 1, 6, "rota-normal");
    long task = queue.submit(project, 1, 2, "rota-normal");
    admission.admit(queue.pool, Instant.now());

    Explanation why = queries(new PoolAvailabilityService()).explain(Callers.platformAdmin(), task);

    assertThat(why.task().waitReason()).isEqualTo("limit");
    assertThat(why.chain()).extracting(QuotaCheck.Level::nodeId).containsExactly(project, root);
    assertThat(why.chain().get(1).usedOverall()).isEqualTo(6);
    assertThat(why.quota().limitedBy()).map(QuotaCheck.Level::nodeId).contains(root);
    assertThat(why.blocking()).isEqualTo("limit");
  }

  @Test
  void a_pool_in_maintenance_now_is_what_blocks() {
    queue.node(8);
    long task = queue.submit(queue.project(), 1, 1, "rota-normal");
    // The calendar's own answer is tested in scheduling; here it stands in for a maintenance.
    PoolAvailability maintenance =
        new PoolAvailability() {
          @Override
          public PoolStatus check(java.sql.Connection c, long node, String pool, Instant at) {
            return new PoolStatus(PoolAvailability.State.MAINTENANCE, 42L, null);
          }

          @Override
          public java.util.Optional<Block> nextBlock(
              java.sql.Connection c, long node, String pool, Instant from, java.time.Duration run) {
            return java.util.Optional.empty();
          }
        };

    Explanation why = queries(maintenance).explain(Callers.platformAdmin(), task);

    assertThat(why.calendar().windowId()).isEqualTo(42L);
    assertThat(why.blocking()).isEqualTo("maintenance");
  }

  @Test
  void an_admitted_task_learns_where_it_runs_and_until_when_min_runtime_protects_it() {
    String node = queue.node(8);
    long project = queue.project();
    Caller member = callers.bound("member", project);
    long task =
        new TaskService(queue.transactions(), new AuthorizationService())
            .submit(
                member,
                new Submission(
                    project,
                    queue.pool,
                    1,
                    2,
                    "rota-normal",
                    "{\"container\":{\"image\":\"x\"}}",
                    Duration.ofMinutes(30),
                    null,
                    member.name(),
                    null))
            .id();
    admission.admit(queue.pool, Instant.now());

    Explanation why = queries(new PoolAvailabilityService()).explain(member, task);

    assertThat(why.task().state()).isEqualTo("admitted");
    assertThat(why.standing()).as("it does not wait").isNull();
    assertThat(why.blocking()).isNull();
    assertThat(why.placement().nodes()).containsExactly(new NodeShare(node, 1, 2));
    assertThat(why.placement().protectedUntil())
        .isEqualTo(why.placement().admittedAt().plus(Duration.ofMinutes(30)));
    assertThat(why.preemptedBy()).isEmpty();
    assertThatThrownBy(
            () ->
                queries(new PoolAvailabilityService())
                    .explain(callers.bound("owner", queue.project()), task))
        .isInstanceOf(TaskNotFound.class)
        .hasMessage(new TaskNotFound(task).getMessage());
  }

  @Test
  void a_preempted_task_learns_by_whom_which_rule_and_when_and_its_preemptor_what_it_waits_for() {
    String node = queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 8, "rota-low");
    admission.admit(queue.pool, Instant.now());
    long high = queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    Caller viewer = callers.bound("viewer", project);
    TaskQueries queries = queries(new PoolAvailabilityService());

    Explanation victim = queries.explain(viewer, low);
    Explanation preemptor = queries.explain(viewer, high);

    assertThat(victim.task().state()).isEqualTo("preempting");
    assertThat(victim.preemptedBy()).hasSize(1);
    PreemptedBy by = victim.preemptedBy().get(0);
    assertThat(by.attempt()).isEqualTo(1);
    assertThat(by.preemptorId()).isEqualTo(high);
    assertThat(by.rule()).isEqualTo("lower-priority-in-node");
    assertThat(by.nodeName()).isEqualTo(node);
    assertThat(by.decidedAt()).isNotNull();
    assertThat(victim.placement().nodes())
        .as("its GPUs stay held until its Pods are gone")
        .containsExactly(new NodeShare(node, 1, 8));
    assertThat(preemptor.task().waitReason()).isEqualTo("preempting-victims");
    assertThat(preemptor.victims())
        .extracting(VictimRecord::taskId, VictimRecord::outstanding, VictimRecord::nodeName)
        .containsExactly(tuple(low, true, node));
  }

  @Test
  void a_preemptor_the_caller_cannot_see_is_named_without_its_id() {
    queue.node(8);
    long mine = queue.child(queue.root(8, null), 8, null);
    long borrower = queue.project();
    long borrowed = queue.submit(borrower, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    long reclaimer = queue.submit(mine, 1, 4, "rota-normal");
    admission.admit(queue.pool, Instant.now());

    Explanation why =
        queries(new PoolAvailabilityService()).explain(callers.bound("viewer", borrower), borrowed);

    assertThat(why.preemptedBy())
        .extracting(PreemptedBy::preemptorId, PreemptedBy::preemptorVisible, PreemptedBy::rule)
        .containsExactly(tuple(null, false, "reclaim-borrowed"));
    assertThat(
            queries(new PoolAvailabilityService())
                .explain(callers.bound("viewer", mine), reclaimer)
                .victims())
        .extracting(VictimRecord::taskId, VictimRecord::visible)
        .containsExactly(tuple(null, false));
  }
}
