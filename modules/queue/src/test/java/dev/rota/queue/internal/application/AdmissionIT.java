package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.Race;
import dev.rota.queue.internal.application.AdmissionService.Round;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Event;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission against the real database: order, gangs, best fit, node state, quota along the tree,
 * starvation, and the database refusing over-commit whatever the code does, under real threads.
 */
class AdmissionIT {

  private static final Duration NO_STARVATION = Duration.ofDays(365);

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 200, NO_STARVATION);
  private final ExecutorService executor = Executors.newFixedThreadPool(20);

  @AfterEach
  void clean_up() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    queue.close();
  }

  @Test
  void higher_priority_is_admitted_first_and_older_before_younger_within_a_priority() {
    queue.node(8);
    long project = queue.project();
    long low = queue.submit(project, 1, 4, "rota-low");
    long older = queue.submit(project, 1, 4, "rota-normal");
    long younger = queue.submit(project, 1, 4, "rota-normal");
    long high = queue.submit(project, 1, 4, "rota-high");

    Round round = admission.admit(queue.pool, Instant.now());

    assertThat(round).isEqualTo(new Round(false, 2, 2));
    assertThat(queue.task(high).state()).isEqualTo("admitted");
    assertThat(queue.task(older).state()).isEqualTo("admitted");
    assertThat(queue.task(younger).state()).isEqualTo("pending");
    assertThat(queue.task(younger).waitReason()).isEqualTo("capacity");
    assertThat(queue.task(low).state()).isEqualTo("pending");
  }

  @Test
  void a_gang_is_placed_whole_or_not_at_all() {
    String a = queue.node(4);
    String b = queue.node(4);
    long project = queue.project();
    long gang = queue.submit(project, 3, 2, "rota-normal");
    long tooBig = queue.submit(project, 2, 2, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.placements(gang)).hasSize(3).containsOnly(a, b);
    assertThat(queue.held(a) + queue.held(b)).isEqualTo(6);
    assertThat(queue.task(tooBig).state()).isEqualTo("pending");
    assertThat(queue.placements(tooBig)).isEmpty();
    assertThat(queue.task(tooBig).waitDetail()).contains("\"placeable\": 1");
  }

  @Test
  void best_fit_puts_a_replica_on_the_fullest_node_that_still_fits_it() {
    queue.node(8);
    String small = queue.node(4);
    long project = queue.project();
    long task = queue.submit(project, 1, 4, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.placements(task)).containsExactly(small);
  }

  @Test
  void not_ready_and_cordoned_nodes_take_no_new_work() {
    queue.node(8, false, false);
    queue.node(8, true, true);
    long project = queue.project();
    long task = queue.submit(project, 1, 1, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(task).state()).isEqualTo("pending");
    assertThat(queue.task(task).waitReason()).isEqualTo("capacity");
  }

  @Test
  void a_task_that_does_not_fit_does_not_block_smaller_ones_behind_it() {
    queue.node(8);
    long project = queue.project();
    long big = queue.submit(project, 1, 16, "rota-high");
    long small = queue.submit(project, 1, 2, "rota-low");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(big).state()).isEqualTo("pending");
    assertThat(queue.task(small).state()).isEqualTo("admitted");
  }

  @Test
  void a_starving_task_keeps_lower_priority_work_off_the_gpus_it_needs() {
    queue.node(8);
    long project = queue.project();
    queue.submit(project, 1, 2, "rota-normal");
    admission.admit(queue.pool, Instant.now());
    long big = queue.submit(project, 1, 8, "rota-normal");
    long low = queue.submit(project, 1, 2, "rota-low");
    AdmissionService impatient =
        new AdmissionService(transactions, new PoolAvailabilityService(), 200, Duration.ZERO);

    impatient.admit(queue.pool, Instant.now().plusSeconds(60));

    assertThat(queue.task(big).state()).isEqualTo("pending");
    assertThat(queue.task(low).state()).isEqualTo("pending");
    assertThat(queue.task(low).waitReason()).isEqualTo("starving-task-ahead");

    admission.admit(queue.pool, Instant.now()); // not starving yet: the small one goes ahead
    assertThat(queue.task(low).state()).isEqualTo("admitted");
  }

  @Test
  void within_the_guarantee_a_task_is_in_quota_beyond_it_borrows_and_above_the_limit_waits() {
    queue.node(16);
    long root = queue.root(4, 6);
    long project = queue.child(root, 4, null);
    long first = queue.submit(project, 1, 4, "rota-normal");
    long second = queue.submit(project, 1, 2, "rota-normal");
    long third = queue.submit(project, 1, 2, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(first).quotaMode()).isEqualTo("in_quota");
    assertThat(queue.task(second).quotaMode()).isEqualTo("borrowing");
    assertThat(queue.task(third).state()).isEqualTo("pending");
    assertThat(queue.task(third).waitReason()).isEqualTo("limit");
    assertThat(queue.task(third).waitDetail())
        .contains("\"nodeId\": " + root, "\"usedOverall\": 6", "\"totalLimit\": 6");
  }

  @Test
  void tasks_waiting_at_their_limit_at_the_head_of_the_queue_never_hide_the_ones_behind_them() {
    queue.node(8);
    long capped = queue.child(queue.root(0, 1), 0, null);
    queue.submit(capped, 1, 1, "rota-high"); // takes the capped tenant's only GPU
    List<Long> blocked = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      blocked.add(queue.submit(capped, 1, 1, "rota-high"));
    }
    long behind = queue.submit(queue.project(), 1, 2, "rota-low");
    AdmissionService smallPages =
        new AdmissionService(transactions, new PoolAvailabilityService(), 2, NO_STARVATION);

    smallPages.admit(queue.pool, Instant.now());

    assertThat(blocked).allMatch(id -> queue.task(id).waitReason().equals("limit"));
    assertThat(queue.task(behind).state())
        .as("six waiting tasks ahead, pages of two: the round pages on")
        .isEqualTo("admitted");
  }

  @Test
  void a_pool_row_narrows_the_guarantee_in_its_pool() {
    queue.node(16);
    long root = queue.root(8, null);
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement put =
              c.prepareStatement(
                  "INSERT INTO tenancy.pool_quotas (node_id, pool, guaranteed_gpus) VALUES (?, ?, 2)")) {
            put.setLong(1, root); // 1 node
            put.setString(2, queue.pool); // 2 pool
            return put.executeUpdate();
          }
        });
    long task = queue.submit(queue.child(root, 8, null), 1, 4, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(task).state()).isEqualTo("admitted");
    assertThat(queue.task(task).quotaMode()).isEqualTo("borrowing");
  }

  @Test
  void every_transition_is_a_row_with_its_reason_and_actor() {
    queue.node(8);
    long project = queue.project();
    long task = queue.submit(project, 1, 2, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    List<Event> events = transactions.read(c -> new TaskRepository().events(c, task));
    assertThat(events)
        .extracting(
            e -> e.from() + ">" + e.to() + ":" + e.attempt() + ":" + e.reason() + ":" + e.actor())
        .containsExactly(
            "null>pending:1:submitted:submitter",
            "pending>admitted:1:admitted-borrowing:" + AdmissionService.ACTOR);
    assertThat(events.get(1).at()).isAfterOrEqualTo(events.get(0).at());
  }

  @Test
  void a_retried_submission_with_the_same_idempotency_key_makes_one_task() {
    long project = queue.project();
    Submission once =
        new Submission(
            project, queue.pool, 1, 1, null, "{}", null, Duration.ofHours(1), "alice", "key-1");

    long first =
        transactions.write("alice", c -> new TaskRepository().submit(c, once)).orElseThrow();
    long again =
        transactions.write("alice", c -> new TaskRepository().submit(c, once)).orElseThrow();

    assertThat(again).isEqualTo(first);
    TaskRow task = queue.task(first);
    assertThat(task.priorityClass()).isEqualTo("rota-normal"); // the global default
    assertThat(task.priority()).isEqualTo(1000);
  }

  @Test
  void an_unknown_priority_class_submits_nothing() {
    long project = queue.project();
    Submission unknown =
        new Submission(project, queue.pool, 1, 1, "no-such-class", "{}", null, null, "bob", null);

    Optional<Long> id = transactions.write("bob", c -> new TaskRepository().submit(c, unknown));

    assertThat(id).isEmpty();
  }

  @Test
  void racing_admission_rounds_of_one_pool_admit_each_task_once_and_never_overcommit()
      throws Exception {
    String a = queue.node(8);
    String b = queue.node(8);
    long project = queue.project();
    for (int i = 0; i < 30; i++) {
      queue.submit(project, 1, 1 + i % 3, "rota-normal");
    }
    int rounds = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Round>> results = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      results.add(
          executor.submit(
              () -> {
                start.await();
                return admission.admit(queue.pool, Instant.now());
              }));
    }
    start.countDown();
    int admitted = 0;
    for (Future<Round> result : results) {
      admitted += result.get(60, TimeUnit.SECONDS).admitted();
    }
    admission.admit(queue.pool, Instant.now()); // whatever a busy round left: nothing more fits

    assertThat(queue.held(a)).isLessThanOrEqualTo(8);
    assertThat(queue.held(b)).isLessThanOrEqualTo(8);
    assertThat(queue.held(a) + queue.held(b)).isEqualTo(16);
    int placedGpus =
        transactions.read(
            c -> {
              try (var select =
                  c.prepareStatement(
                      "SELECT COALESCE(sum(p.gpus), 0) FROM queue.placements p"
                          + " JOIN queue.tasks t ON t.id = p.task_id WHERE t.pool = ?")) {
                select.setString(1, queue.pool); // 1 pool
                try (var row = select.executeQuery()) {
                  row.next();
                  return row.getInt(1);
                }
              }
            });
    assertThat(placedGpus).isEqualTo(16);
    assertThat(admitted).isPositive();
  }

  @Test
  void the_database_refuses_to_book_more_gpus_than_a_node_has_whatever_the_code_does() {
    String node = queue.node(8);
    long project = queue.project();
    List<Long> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tasks.add(queue.submit(project, 1, 1, "rota-normal"));
    }

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            tasks.size(),
            (racer, c) -> {
              try (PreparedStatement place =
                  c.prepareStatement(
                      "INSERT INTO queue.placements (task_id, replica, node_name, gpus)"
                          + " VALUES (?, 0, ?, 1)")) {
                place.setLong(1, tasks.get(racer)); // 1 task
                place.setString(2, node); // 2 node
                place.executeUpdate();
              }
            });

    assertThat(outcome.winners()).isEqualTo(8);
    assertThat(outcome.refusedBy()).hasSize(12).containsOnly("cluster_nodes_no_overcommit");
    assertThat(queue.held(node)).isEqualTo(8);
  }
}
