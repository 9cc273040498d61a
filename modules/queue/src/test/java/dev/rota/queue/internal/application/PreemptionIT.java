package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.Race;
import dev.rota.queue.internal.persistence.VictimRepository;
import dev.rota.queue.internal.persistence.VictimRepository.Plan;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Victim selection and its application against the real database: each case seeds running tasks
 * with their priority, quota mode, age and minRuntime on the pool's nodes, runs one admission round
 * for a pending task that does not fit, and asserts the exact set of tasks it preempted.
 */
class PreemptionIT {

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final AdmissionService admission =
      new AdmissionService(
          transactions, new PoolAvailabilityService(), 200, java.time.Duration.ofDays(365));

  @AfterEach
  void clean_up() {
    queue.close();
  }

  /** A project whose guarantee (and its group's) covers {@code gpus} in every pool. */
  private long guaranteed(int gpus) {
    return queue.child(queue.root(gpus, null), gpus, null);
  }

  @Test
  void among_equal_priorities_the_youngest_is_preempted_first() {
    String node = queue.node(8);
    long project = guaranteed(8);
    long older = running(project, node, 4, "rota-low", "in_quota", 60, null);
    long younger = running(project, node, 4, "rota-low", "in_quota", 10, null);
    long t = queue.submit(project, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactly(younger);
    assertThat(queue.task(older).state()).isEqualTo("running");
    assertThat(queue.task(t).state()).isEqualTo("pending");
    assertThat(queue.task(t).waitReason()).isEqualTo("preempting-victims");
    assertThat(decisions(t)).containsExactly(younger + ":lower-priority-in-node:" + node);
    assertThat(queue.held(node))
        .as("a victim's GPUs stay held until its Pods are gone")
        .isEqualTo(8);
  }

  @Test
  void a_class_with_preemption_policy_never_never_preempts() {
    String node = queue.node(8);
    long project = guaranteed(8);
    running(project, node, 8, "rota-low", "in_quota", 10, null);
    long t = queue.submit(project, 1, 4, "rota-batch-never");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).isEmpty();
    assertThat(queue.task(t).waitReason()).isEqualTo("capacity");
    assertThat(queue.task(t).waitDetail()).contains("\"preemption\": \"never\"");
  }

  @Test
  void min_runtime_protects_a_task_until_it_has_run_that_long() {
    String node = queue.node(8);
    long project = guaranteed(8);
    long older = running(project, node, 4, "rota-low", "in_quota", 60, null);
    running(project, node, 4, "rota-low", "in_quota", 10, "1 hour");

    queue.submit(project, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactly(older);
  }

  @Test
  void another_tenants_in_quota_task_is_never_preempted() {
    String node = queue.node(8);
    long mine = guaranteed(8);
    long theirs = guaranteed(8);
    running(theirs, node, 8, "rota-low", "in_quota", 10, null);
    long t = queue.submit(mine, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).isEmpty();
    assertThat(queue.task(t).waitReason()).isEqualTo("capacity");
    assertThat(queue.task(t).waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void borrowing_tasks_are_reclaimed_first_whatever_their_tenant_or_priority() {
    String node = queue.node(8);
    long mine = guaranteed(8);
    long borrower = queue.project();
    running(mine, node, 4, "rota-low", "in_quota", 10, null);
    long borrowed = running(borrower, node, 4, "rota-high", "borrowing", 60, null);
    long t = queue.submit(mine, 1, 4, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactly(borrowed);
    assertThat(decisions(t)).containsExactly(borrowed + ":reclaim-borrowed:" + node);
  }

  @Test
  void in_its_own_project_a_task_never_reclaims_from_a_higher_priority_borrower() {
    String node = queue.node(8);
    long project = guaranteed(4);
    running(project, node, 8, "rota-high", "borrowing", 10, null);
    long t = queue.submit(project, 1, 4, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).as("it would preempt t back: priority decides").isEmpty();
    assertThat(queue.task(t).waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void a_borrowing_task_takes_only_lower_priority_borrowers_never_in_quota_work() {
    String node = queue.node(8);
    long borrowerA = queue.project();
    long borrowerB = queue.project();
    long owner = guaranteed(4);
    running(owner, node, 4, "rota-low", "in_quota", 10, null);
    running(borrowerB, node, 2, "rota-high", "borrowing", 10, null);
    long lower = running(borrowerB, node, 2, "rota-low", "borrowing", 60, null);
    long t = queue.submit(borrowerA, 1, 2, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactly(lower);
    assertThat(decisions(t)).containsExactly(lower + ":borrowing-lower-priority:" + node);
  }

  @Test
  void a_borrowing_task_becomes_in_quota_when_guaranteed_room_frees_up() {
    String node = queue.node(8);
    long owner = guaranteed(4);
    long other = queue.project();
    // admitted borrowing while its tenant's guarantee was full; that work has ended since
    long stale = running(owner, node, 2, "rota-low", "borrowing", 60, null);
    running(other, node, 6, "rota-low", "borrowing", 60, null);
    long t = queue.submit(queue.project(), 1, 8, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(stale).quotaMode()).isEqualTo("in_quota");
    assertThat(preempting())
        .as(
            "a borrowing T takes no in-quota work: taken as a borrower, it would come back in quota"
                + " and reclaim from T")
        .isEmpty();
    assertThat(queue.task(t).waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void when_a_decision_leaves_a_tenant_within_its_guarantee_its_other_borrowers_become_in_quota() {
    String node = queue.node(8);
    long owner = guaranteed(4);
    running(owner, node, 2, "rota-low", "in_quota", 60, null);
    long kept = running(owner, node, 2, "rota-low", "borrowing", 60, null);
    long taken = running(owner, node, 2, "rota-low", "borrowing", 10, null);
    running(guaranteed(2), node, 2, "rota-high", "in_quota", 60, null);
    long t = queue.submit(guaranteed(2), 1, 2, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactly(taken);
    assertThat(queue.task(kept).quotaMode())
        .as("its tenant will hold 4 of its 4 guaranteed GPUs: no other task may reclaim it")
        .isEqualTo("in_quota");
    assertThat(decisions(t)).containsExactly(taken + ":reclaim-borrowed:" + node);
  }

  @Test
  void a_borrower_that_would_come_back_in_quota_is_not_taken() {
    String near = queue.node(8);
    String far = queue.node(8);
    long owner = guaranteed(4); // holds 6: 3 in quota, 1 and 2 borrowed
    running(owner, near, 3, "rota-low", "in_quota", 60, null);
    long small = running(owner, near, 1, "rota-low", "borrowing", 10, null);
    running(owner, near, 2, "rota-low", "borrowing", 20, null);
    running(guaranteed(2), near, 2, "rota-low", "in_quota", 60, null);
    long elsewhere = running(queue.project(), far, 4, "rota-low", "borrowing", 60, null);
    running(guaranteed(4), far, 4, "rota-low", "in_quota", 60, null);
    long t = queue.submit(queue.project(), 1, 3, "rota-high");

    admission.admit(queue.pool, Instant.now());

    // near frees 3 GPUs by two borrowers, fewer than far's 4; but with both gone their tenant
    // holds 3 of its 4, and the 1-GPU one, requeued, would be in quota and reclaim from t
    assertThat(preempting()).containsExactly(elsewhere);
    assertThat(queue.task(small).state()).isEqualTo("running");
    assertThat(decisions(t)).containsExactly(elsewhere + ":borrowing-lower-priority:" + far);
  }

  @Test
  void when_lower_priority_work_cannot_free_enough_nothing_is_preempted() {
    String node = queue.node(8);
    long project = guaranteed(8);
    running(project, node, 2, "rota-low", "in_quota", 10, null);
    running(project, node, 6, "rota-normal", "in_quota", 10, null);
    long t = queue.submit(project, 1, 4, "rota-normal");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).isEmpty();
    assertThat(decisions(t)).isEmpty();
    assertThat(queue.task(t).waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void the_node_where_the_deficit_costs_least_is_chosen() {
    String full = queue.node(4);
    String half = queue.node(4);
    long project = guaranteed(8);
    running(project, full, 4, "rota-low", "in_quota", 10, null);
    long small = running(project, half, 2, "rota-low", "in_quota", 60, null);
    long t = queue.submit(project, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).as("2 GPUs of work lost instead of 4").containsExactly(small);
    assertThat(decisions(t)).containsExactly(small + ":lower-priority-in-node:" + half);
  }

  @Test
  void victims_that_turn_out_unneeded_are_dropped() {
    String node = queue.node(8);
    long project = guaranteed(8);
    long big = running(project, node, 4, "rota-low", "in_quota", 60, null);
    running(project, node, 1, "rota-low", "in_quota", 20, null);
    running(project, node, 1, "rota-low", "in_quota", 10, null);
    running(project, node, 2, "rota-normal", "in_quota", 10, null);
    long t = queue.submit(project, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting())
        .as("the two youngest came first, but the big one alone covers the deficit")
        .containsExactly(big);
    assertThat(decisions(t)).hasSize(1);
  }

  @Test
  void a_gang_preempts_on_as_many_cheapest_nodes_as_its_replicas_lack_free_slots() {
    String a = queue.node(4);
    String b = queue.node(4);
    String c = queue.node(4);
    queue.node(4); // free: one replica fits without preempting
    long project = guaranteed(16);
    long onA = running(project, a, 4, "rota-low", "in_quota", 10, null);
    long onB = running(project, b, 2, "rota-low", "in_quota", 10, null);
    running(project, c, 4, "rota-normal", "in_quota", 10, null);
    long gang = queue.submit(project, 3, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting())
        .as("two nodes short; c's victim has the higher priority")
        .containsExactlyInAnyOrder(onA, onB);
    assertThat(decisions(gang))
        .containsExactlyInAnyOrder(
            onA + ":lower-priority-in-node:" + a, onB + ":lower-priority-in-node:" + b);
  }

  @Test
  void a_node_with_room_for_one_and_a_half_replicas_counts_as_one() {
    String roomy = queue.node(8);
    String full = queue.node(4);
    long project = guaranteed(16);
    running(project, roomy, 2, "rota-normal", "in_quota", 10, null);
    long victim = running(project, full, 4, "rota-low", "in_quota", 10, null);
    long gang = queue.submit(project, 2, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting())
        .as("6 free GPUs hold one replica of 4; the other needs the full node")
        .containsExactly(victim);
    assertThat(decisions(gang)).containsExactly(victim + ":lower-priority-in-node:" + full);
  }

  @Test
  void a_gang_that_cannot_free_enough_nodes_preempts_nothing() {
    String a = queue.node(4);
    String b = queue.node(4);
    String c = queue.node(4);
    long project = guaranteed(16);
    running(project, a, 4, "rota-low", "in_quota", 10, null);
    running(project, b, 4, "rota-low", "in_quota", 10, null);
    running(project, c, 4, "rota-high", "in_quota", 10, null);
    long gang = queue.submit(project, 3, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).isEmpty();
    assertThat(queue.task(gang).waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void borrowing_victims_are_looked_for_one_priority_at_a_time_before_any_in_quota_victim() {
    String a = queue.node(4);
    String b = queue.node(4);
    String c = queue.node(4);
    long mine = guaranteed(8);
    long borrower = queue.project();
    running(borrower, a, 2, "rota-low", "borrowing", 10, null);
    running(mine, a, 2, "rota-low", "in_quota", 10, null);
    long atNormal = running(borrower, b, 4, "rota-normal", "borrowing", 10, null);
    running(borrower, c, 2, "rota-low", "borrowing", 10, null);
    running(borrower, c, 2, "rota-high", "borrowing", 10, null);
    long t = queue.submit(mine, 1, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting())
        .as(
            "no node is covered by low-priority borrowers alone; b is at normal, c only at high,"
                + " a needs an in-quota victim")
        .containsExactly(atNormal);
    assertThat(decisions(t)).containsExactly(atNormal + ":reclaim-borrowed:" + b);
  }

  @Test
  void a_gang_takes_the_nodes_borrowers_cover_and_in_quota_victims_for_the_rest() {
    String a = queue.node(4);
    String b = queue.node(4);
    long mine = guaranteed(16);
    long borrower = queue.project();
    long borrowed = running(borrower, a, 4, "rota-high", "borrowing", 10, null);
    long inQuota = running(mine, b, 4, "rota-low", "in_quota", 10, null);
    long gang = queue.submit(mine, 2, 4, "rota-high");

    admission.admit(queue.pool, Instant.now());

    assertThat(preempting()).containsExactlyInAnyOrder(borrowed, inQuota);
    assertThat(decisions(gang))
        .containsExactlyInAnyOrder(
            borrowed + ":reclaim-borrowed:" + a, inQuota + ":lower-priority-in-node:" + b);
  }

  @Test
  void two_preemptors_racing_never_pick_the_same_victim() {
    String node = queue.node(8);
    long project = guaranteed(16);
    long victim = running(project, node, 8, "rota-low", "in_quota", 10, null);
    List<Long> preemptors =
        List.of(queue.submit(project, 1, 4, "rota-high"), queue.submit(project, 1, 4, "rota-high"));
    VictimRepository victims = new VictimRepository();
    AtomicIntegerArray picked = new AtomicIntegerArray(2);

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            2,
            (racer, c) -> {
              Plan plan = victims.plan(c, preemptors.get(racer), "in_quota");
              picked.set(racer, plan.victims().size());
              if (!plan.victims().isEmpty()) {
                victims.apply(c, preemptors.get(racer), "in_quota", plan);
              }
            });

    assertThat(outcome.winners()).isEqualTo(2);
    assertThat(picked.get(0) + picked.get(1))
        .as("one preemptor found it, the other skipped it")
        .isEqualTo(1);
    assertThat(preempting()).containsExactly(victim);
    assertThat(count("SELECT count(*) FROM queue.preemptions WHERE victim_id = " + victim))
        .isEqualTo(1);
  }

  @Test
  void a_decision_whose_node_is_not_among_its_chosen_nodes_is_refused() {
    String node = queue.node(8);
    long project = guaranteed(8);
    long victim = running(project, node, 8, "rota-low", "in_quota", 10, null);
    long t = queue.submit(project, 1, 8, "rota-high");

    assertThatThrownBy(
            () ->
                transactions.write(
                    TestQueue.ACTOR,
                    c -> {
                      try (PreparedStatement insert =
                          c.prepareStatement(
                              """
                              INSERT INTO queue.preemptions (preemptor_id, preemptor_mode,
                                victim_id, victim_attempt, rule, node_name, gpus_freed,
                                victim_quota_mode, victim_priority, victim_since, position,
                                candidates)
                              VALUES (?, 'in_quota', ?, 1, 'lower-priority-in-node', ?, 8,
                                      'in_quota', 0, now(), 1, 1)
                              """)) { // 1 preemptor, 2 victim, 3 node
                        insert.setLong(1, t);
                        insert.setLong(2, victim);
                        insert.setString(3, node);
                        return insert.executeUpdate();
                      }
                    }))
        .as("no queue.preemption_nodes row names the node: nothing would be kept there")
        .hasMessageContaining("preemptions_node_listed");
    assertThat(count("SELECT count(*) FROM queue.preemptions WHERE victim_id = " + victim))
        .isZero();
  }

  /** A task running since {@code minutesAgo} with one replica on {@code node}. */
  private long running(
      long project,
      String node,
      int gpus,
      String priorityClass,
      String quotaMode,
      int minutesAgo,
      String minRuntime) {
    return transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  WITH t AS (
                    INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica,
                                             priority_class, priority, spec, state, quota_mode,
                                             admitted_at, started_at, queued_at, min_runtime,
                                             submitted_by)
                    SELECT ?, ?, 1, ?, name, value, '{"container":{"image":"x"}}', 'running',
                           ?, now() - make_interval(mins => ?), now() - make_interval(mins => ?),
                           now() - make_interval(mins => ?), ?::interval, 'seeder'
                      FROM queue.priority_classes WHERE name = ?
                    RETURNING id)
                  INSERT INTO queue.placements (task_id, replica, node_name, gpus)
                  SELECT id, 0, ?, ? FROM t
                  RETURNING task_id
                  """)) { // 1 node, 2 pool, 3 GPUs, 4 mode, 5-7 minutes ago, 8 minRuntime,
            // 9 class, 10 cluster node, 11 GPUs
            insert.setLong(1, project);
            insert.setString(2, queue.pool);
            insert.setInt(3, gpus);
            insert.setString(4, quotaMode);
            insert.setInt(5, minutesAgo);
            insert.setInt(6, minutesAgo);
            insert.setInt(7, minutesAgo);
            insert.setString(8, minRuntime);
            insert.setString(9, priorityClass);
            insert.setString(10, node);
            insert.setInt(11, gpus);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** The pool's tasks in state preempting. */
  private List<Long> preempting() {
    return ids(
        "SELECT id FROM queue.tasks WHERE state = 'preempting' AND pool = '"
            + queue.pool
            + "' ORDER BY id");
  }

  /** The preemptor's decisions as victim:rule:node. */
  private List<String> decisions(long preemptor) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT victim_id || ':' || rule || ':' || node_name FROM queue.preemptions"
                      + " WHERE preemptor_id = ? ORDER BY id")) {
            select.setLong(1, preemptor); // 1 preemptor
            List<String> rows = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                rows.add(row.getString(1));
              }
            }
            return rows;
          }
        });
  }

  private List<Long> ids(String sql) {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(sql);
              ResultSet row = select.executeQuery()) {
            List<Long> ids = new ArrayList<>();
            while (row.next()) {
              ids.add(row.getLong(1));
            }
            return ids;
          }
        });
  }

  private long count(String sql) {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(sql);
              ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
          }
        });
  }
}
