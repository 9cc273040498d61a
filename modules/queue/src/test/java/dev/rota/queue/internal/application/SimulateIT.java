package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.queue.internal.application.TaskSimulator.Simulation;
import dev.rota.queue.internal.persistence.PreemptionRecords.NodeShare;
import dev.rota.queue.internal.persistence.PreemptionRecords.VictimRecord;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import dev.rota.tenancy.internal.application.AuthorizationService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What-if against the real database: simulate answers with the plan a real submission then executes
 * (the same victims and nodes), leaves no row behind, and refuses what submit refuses with the same
 * problem.
 */
class SimulateIT {

  /** Every table a submission or a preemption writes to. */
  private static final String TRACES =
      """
      SELECT (SELECT count(*) FROM queue.tasks) || '/' ||
             (SELECT count(*) FROM queue.task_events) || '/' ||
             (SELECT count(*) FROM queue.preemptions) || '/' ||
             (SELECT count(*) FROM queue.placements) || '/' ||
             (SELECT count(*) FROM platform.reconcile_outbox) || '/' ||
             (SELECT string_agg(name || ':' || held_gpus, ',' ORDER BY name)
                FROM queue.cluster_nodes) || '/' ||
             (SELECT string_agg(id || ':' || state || ':' || attempt, ',' ORDER BY id)
                FROM queue.tasks)
      """;

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final Callers callers = new Callers(transactions);
  private final AuthorizationService authorization = new AuthorizationService();
  private final TaskService tasks = new TaskService(transactions, authorization);
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 200, Duration.ofDays(365));
  private final TaskSimulator simulator =
      new TaskSimulator(transactions, tasks, admission, authorization, Clock.systemUTC());

  @AfterEach
  void clean_up() {
    queue.close();
    callers.close();
  }

  private long guaranteed(int gpus) {
    return queue.child(queue.root(gpus, null), gpus, null);
  }

  private Submission task(long node, int replicas, int gpus, String priorityClass) {
    return new Submission(
        node,
        queue.pool,
        replicas,
        gpus,
        priorityClass,
        "{\"container\":{\"image\":\"busybox\"}}",
        null,
        null,
        "member",
        null);
  }

  @Test
  void simulate_names_the_victims_a_real_submission_then_preempts_and_leaves_no_trace() {
    String node = queue.node(8);
    String other = queue.node(8);
    long project = guaranteed(16);
    Caller member = callers.bound("member", project);
    List<Long> low = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      low.add(tasks.submit(member, task(project, 1, 4, "rota-low")).id());
      admission.admit(queue.pool, Instant.now());
    }
    String before = traces();

    Simulation what = simulator.simulate(member, task(project, 1, 4, "rota-high"));

    assertThat(traces()).as("nothing of the rehearsal stays").isEqualTo(before);
    assertThat(what.outcome()).isEqualTo("preempting");
    assertThat(what.quotaMode()).isEqualTo("in_quota");
    assertThat(what.victims()).hasSize(1);
    VictimRecord victim = what.victims().get(0);
    assertThat(victim.visible()).isTrue();
    assertThat(victim.rule()).isEqualTo("lower-priority-in-node");
    assertThat(victim.gpusFreed()).isEqualTo(4);

    long real = tasks.submit(member, task(project, 1, 4, "rota-high")).id();
    admission.admit(queue.pool, Instant.now());

    assertThat(decisions(real))
        .as("the real submission preempts exactly what simulate said")
        .containsExactly(victim.taskId() + ":" + victim.rule() + ":" + victim.nodeName());
    assertThat(low).contains(victim.taskId());
    assertThat(List.of(node, other)).contains(victim.nodeName());
  }

  @Test
  void simulate_names_the_nodes_a_real_submission_is_then_admitted_on() {
    queue.node(8);
    String fuller = queue.node(8);
    long project = guaranteed(16);
    Caller member = callers.bound("member", project);
    tasks.submit(member, task(project, 1, 6, "rota-normal"));
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.held(fuller) + queue.held(queue.pool + "-n0")).isEqualTo(6);
    String before = traces();

    Simulation what = simulator.simulate(member, task(project, 1, 2, "rota-normal"));

    assertThat(traces()).isEqualTo(before);
    assertThat(what.outcome()).isEqualTo("admitted");
    assertThat(what.quotaMode()).isEqualTo("in_quota");
    assertThat(what.nodes()).hasSize(1);
    NodeShare share = what.nodes().get(0);
    assertThat(share.gpus()).isEqualTo(2);
    assertThat(queue.held(share.nodeName())).as("best fit: the node already used").isEqualTo(6);

    long real = tasks.submit(member, task(project, 1, 2, "rota-normal")).id();
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.placements(real)).containsExactly(share.nodeName());
  }

  @Test
  void simulate_of_a_task_that_cannot_preempt_enough_says_why_it_would_wait() {
    queue.node(8);
    long mine = guaranteed(8);
    long theirs = guaranteed(8);
    Caller owner = callers.bound("owner", theirs);
    tasks.submit(owner, task(theirs, 1, 8, "rota-low"));
    admission.admit(queue.pool, Instant.now());
    Caller member = callers.bound("member", mine);
    String before = traces();

    Simulation what = simulator.simulate(member, task(mine, 1, 4, "rota-high"));

    assertThat(traces()).isEqualTo(before);
    assertThat(what.outcome()).isEqualTo("waiting");
    assertThat(what.task().waitReason()).isEqualTo("capacity");
    assertThat(what.task().waitDetail()).contains("\"preemption\": \"cannot-free\"");
  }

  @Test
  void a_victim_the_caller_cannot_see_is_named_without_its_id() {
    String node = queue.node(8);
    long mine = guaranteed(8);
    long borrower = queue.project();
    Caller theirs = callers.bound("member", borrower);
    tasks.submit(theirs, task(borrower, 1, 8, "rota-high"));
    admission.admit(queue.pool, Instant.now());
    Caller member = callers.bound("member", mine);

    Simulation what = simulator.simulate(member, task(mine, 1, 4, "rota-normal"));

    assertThat(what.outcome()).isEqualTo("preempting");
    assertThat(what.victims())
        .extracting(VictimRecord::taskId, VictimRecord::visible, VictimRecord::rule)
        .containsExactly(tuple(null, false, "reclaim-borrowed"));
    assertThat(what.victims().get(0).nodeName()).isEqualTo(node);
  }

  @Test
  void simulate_refuses_what_submit_refuses_with_the_same_problem() {
    queue.node(8);
    long project = guaranteed(8);
    Caller member = callers.bound("member", project);
    Caller viewer = callers.bound("viewer", project);
    Caller stranger = callers.stranger();
    String before = traces();

    for (Caller caller : List.of(member, viewer, stranger)) {
      for (Submission bad :
          List.of(
              task(project, 1, 9, "rota-normal"), // larger than any node
              task(project, 1, 1, "no-such-class"),
              task(project, 3, 8, "rota-normal"))) { // more replicas than the pool holds
        Throwable simulated = catchThrowable(() -> simulator.simulate(caller, bad));
        Throwable submitted = catchThrowable(() -> tasks.submit(caller, bad));
        assertThat(simulated).isNotNull();
        assertThat(simulated).hasSameClassAs(submitted).hasMessage(submitted.getMessage());
      }
    }
    assertThat(traces()).isEqualTo(before);
  }

  private String traces() {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(TRACES);
              ResultSet row = select.executeQuery()) {
            row.next();
            return row.getString(1);
          }
        });
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
}
