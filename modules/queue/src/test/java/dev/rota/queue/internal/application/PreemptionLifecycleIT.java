package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.internal.reconcile.OutboxWorker;
import dev.rota.queue.internal.persistence.PreemptionRecords;
import dev.rota.queue.internal.persistence.PreemptionRecords.RuleTotal;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A preemption from decision to requeue against the real database and fabric8's CRUD mock API
 * server: the victim's Pods deleted through the outbox's reconciler, the victim back to pending in
 * its next attempt, its GPUs kept for the preemptor, and the preemptor admitted.
 */
class PreemptionLifecycleIT {

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final SimulatedCluster cluster = SimulatedCluster.start(0, 8, List.of());
  private final KubernetesClient kubernetes = cluster.client();
  private final Installation installation = new Installation("preemption-it");
  private final GpuQuotaReconciler quota =
      new GpuQuotaReconciler(transactions, kubernetes, installation, new Outbox());
  private final TaskReconciler pods =
      new TaskReconciler(transactions, kubernetes, installation, new Outbox(), quota);
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 200, Duration.ofDays(1));
  private final Dispatcher dispatcher =
      new Dispatcher(transactions, pods, Duration.ofSeconds(30), 50, Duration.ofSeconds(1));

  @AfterEach
  void clean_up() {
    cluster.close();
    queue.close();
  }

  @Test
  void a_victims_pods_are_deleted_then_it_requeues_in_its_next_attempt_and_the_preemptor_runs() {
    String node = queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 8, "rota-low");
    admission.admit(queue.pool, Instant.now());
    dispatcher.dispatchAll();
    setPhase(low, "Running");
    pods.reconcile(String.valueOf(low));
    assertThat(queue.task(low).state()).isEqualTo("running");
    Instant queuedAt = queue.task(low).queuedAt();

    long high = queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(low).state()).isEqualTo("preempting");
    assertThat(queue.task(high).waitReason()).isEqualTo("preempting-victims");
    assertThat(
            count(
                "SELECT count(*) FROM platform.reconcile_outbox WHERE kind = 'queue.task'"
                    + " AND object_key = '"
                    + low
                    + "'"))
        .as("the Pods' deletion is in the outbox with the decision")
        .isEqualTo(1);
    assertThat(podsOf(low)).hasSize(1);

    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(high).waitReason())
        .as("while its victim's Pods live, it waits and preempts nothing more")
        .isEqualTo("preempting-victims");
    assertThat(count("SELECT count(*) FROM queue.preemptions WHERE preemptor_id = " + high))
        .isEqualTo(1);

    pods.reconcile(String.valueOf(low));

    assertThat(podsOf(low)).isEmpty();
    assertThat(queue.task(low).state()).isEqualTo("pending");
    assertThat(queue.task(low).attempt()).isEqualTo(2);
    assertThat(queue.task(low).queuedAt()).as("its age is kept").isEqualTo(queuedAt);
    assertThat(queue.placements(low)).isEmpty();
    assertThat(queue.held(node)).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM queue.tasks WHERE id = "
                    + low
                    + " AND started_at IS NULL AND dispatched_at IS NULL AND admitted_at IS NULL"))
        .isEqualTo(1);
    assertThat(reasons(low))
        .containsSubsequence("pods-running", "preempted", "requeued-after-preemption");

    long urgent = queue.submit(project, 1, 8, "rota-urgent");
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(high).state()).isEqualTo("admitted");
    assertThat(queue.placements(high)).containsExactly(node);
    assertThat(queue.task(urgent).state())
        .as("a higher task submitted later does not take the GPUs freed for the preemptor")
        .isEqualTo("pending");
    assertThat(queue.task(low).state()).isEqualTo("pending");
  }

  @Test
  void a_decision_whose_server_died_before_deleting_the_pods_is_finished_by_another_server() {
    queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 8, "rota-low");
    admission.admit(queue.pool, Instant.now());
    dispatcher.dispatchAll();
    setPhase(low, "Running");
    pods.reconcile(String.valueOf(low));
    long high = queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(low).state()).isEqualTo("preempting");
    // The deciding server's worker claimed the row and died before any API call: its claim
    // names a worker that will never finish it, and lasts until its lease runs out.
    int claimed =
        transactions.write(
            "test",
            c -> {
              try (PreparedStatement claim =
                  c.prepareStatement(
                      """
                  UPDATE platform.reconcile_outbox
                     SET claimed_by = 'worker-of-the-dead-server',
                         claimed_until = now() + interval '1 hour'
                   WHERE kind = ? AND object_key = ?  -- 1 kind, 2 the victim
                  """)) {
                claim.setString(1, TaskReconciler.KIND);
                claim.setString(2, String.valueOf(low));
                return claim.executeUpdate();
              }
            });
    assertThat(claimed).as("the decision enqueued the victim's Pods").isEqualTo(1);
    assertThat(podsOf(low)).hasSize(1);

    leaveOnlyTheOutboxRowOf(low);
    // Another server: its own reconcilers and outbox worker over the same database and cluster.
    GpuQuotaReconciler survivorQuota =
        new GpuQuotaReconciler(transactions, kubernetes, installation, new Outbox());
    OutboxWorker survivor =
        new OutboxWorker(
            transactions,
            List.of(
                new TaskReconciler(
                    transactions, kubernetes, installation, new Outbox(), survivorQuota),
                survivorQuota),
            OutboxWorker.Settings.DEFAULTS,
            OutboxWorker.Observer.NONE);
    survivor.drain();
    assertThat(podsOf(low))
        .as("the dead server's claim still holds: the victim's row is not attempted")
        .hasSize(1);
    assertThat(queue.task(low).state()).isEqualTo("preempting");
    expireClaim(low); // the dead server's lease runs out
    survivor.drain();

    assertThat(podsOf(low)).as("the survivor deleted the victim's Pods").isEmpty();
    assertThat(queue.task(low).state()).isEqualTo("pending");
    assertThat(queue.task(low).attempt()).isEqualTo(2);
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(high).state()).isEqualTo("admitted");
  }

  @Test
  void a_preemptor_that_reclaimed_in_quota_waits_rather_than_run_borrowing_on_what_it_reclaimed() {
    String node = queue.node(8);
    long mine = queue.child(queue.root(4, null), 4, null);
    long borrower = queue.project();
    long reclaimed = queue.submit(borrower, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    long t = queue.submit(mine, 1, 4, "rota-low");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(reclaimed).state()).isEqualTo("preempting");
    assertThat(
            count(
                "SELECT count(*) FROM queue.preemptions WHERE preemptor_mode = 'in_quota'"
                    + " AND preemptor_id = "
                    + t))
        .isEqualTo(1);
    long u = queue.submit(mine, 1, 4, "rota-normal");
    pods.reconcile(String.valueOf(reclaimed)); // never dispatched: no Pods, requeued at once

    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(u).state())
        .as("another task of its project takes the guarantee first (higher priority)")
        .isEqualTo("admitted");
    assertThat(queue.task(t).state())
        .as("admitted now it would borrow on GPUs it reclaimed as in quota")
        .isEqualTo("pending");
    assertThat(queue.task(t).waitReason()).isEqualTo("guarantee-in-use");
    assertThat(queue.task(reclaimed).state())
        .as("the reclaimed task does not get back what is kept for t")
        .isEqualTo("pending");
    assertThat(
            count(
                "SELECT count(*) FROM queue.preemptions WHERE released_at IS NULL"
                    + " AND preemptor_id = "
                    + t))
        .as("t keeps its GPUs until it can run in quota")
        .isEqualTo(1);
    assertThat(queue.held(node)).isEqualTo(4);
  }

  @Test
  void gpus_freed_for_a_preemptor_are_reserved_for_it_against_higher_priority_work() {
    String node = queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 8, "rota-low");
    admission.admit(queue.pool, Instant.now());
    long high = queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    pods.reconcile(String.valueOf(low)); // never dispatched: no Pods, requeued at once
    assertThat(queue.task(low).attempt()).isEqualTo(2);

    long urgent = queue.submit(project, 1, 8, "rota-urgent");
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(urgent).state()).isEqualTo("pending");
    assertThat(queue.task(high).state()).isEqualTo("admitted");
    assertThat(queue.placements(high)).containsExactly(node);
  }

  @Test
  void gpus_already_free_at_the_decision_are_kept_for_the_preemptor_too() {
    String node = queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 4, "rota-low");
    admission.admit(queue.pool, Instant.now());
    long high = queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(low).state()).isEqualTo("preempting");

    long urgent = queue.submit(project, 1, 4, "rota-urgent");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(urgent).state())
        .as("the 4 free GPUs are part of the preemptor's replica")
        .isEqualTo("pending");

    pods.reconcile(String.valueOf(low));
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(high).state()).isEqualTo("admitted");
    assertThat(queue.placements(high)).containsExactly(node);
    assertThat(queue.task(urgent).state()).isEqualTo("pending");
  }

  @Test
  void a_gang_victim_freeing_two_chosen_nodes_keeps_the_gpus_for_the_preemptor_on_both() {
    String a = queue.node(4);
    String b = queue.node(4);
    long project = queue.child(queue.root(16, null), 16, null);
    long victim = queue.submit(project, 2, 4, "rota-low");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.placements(victim)).containsExactlyInAnyOrder(a, b);

    long gang = queue.submit(project, 2, 4, "rota-high");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(victim).state()).isEqualTo("preempting");
    assertThat(count("SELECT count(*) FROM queue.preemptions WHERE preemptor_id = " + gang))
        .as("one decision row per victim attempt, whatever the nodes")
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM queue.preemption_nodes n JOIN queue.preemptions p"
                    + " ON p.id = n.preemption_id WHERE n.gpus_freed = 4 AND p.preemptor_id = "
                    + gang))
        .as("the decision names both chosen nodes and the 4 GPUs it frees on each")
        .isEqualTo(2);
    assertThat(queue.task(gang).waitDetail()).contains(a).contains(b);

    pods.reconcile(String.valueOf(victim)); // never dispatched: no Pods, requeued at once
    assertThat(queue.task(victim).state()).isEqualTo("pending");
    assertThat(queue.held(a) + queue.held(b)).isZero();

    long single = queue.submit(project, 1, 4, "rota-urgent");
    admission.admit(queue.pool, Instant.now());

    assertThat(queue.task(single).state())
        .as("a higher task that fits either node alone takes neither: both are kept for the gang")
        .isEqualTo("pending");
    assertThat(queue.task(gang).state()).isEqualTo("admitted");
    assertThat(queue.placements(gang)).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void the_metrics_count_the_preemption_by_rule_and_the_gpu_seconds_its_victim_had_run() {
    String node = queue.node(8);
    long project = queue.child(queue.root(8, null), 8, null);
    long low = queue.submit(project, 1, 8, "rota-low");
    admission.admit(queue.pool, Instant.now());
    dispatcher.dispatchAll();
    setPhase(low, "Running");
    long before = System.nanoTime();
    pods.reconcile(String.valueOf(low));
    assertThat(queue.task(low).state()).isEqualTo("running");
    PreemptionRecords records = new PreemptionRecords();
    PreemptionTotals totals = new PreemptionTotals(transactions, Duration.ZERO, System::nanoTime);
    RuleTotal was = totals.of("lower-priority-in-node");
    sleep(Duration.ofMillis(1200));

    queue.submit(project, 1, 8, "rota-high");
    admission.admit(queue.pool, Instant.now());
    double elapsed = (System.nanoTime() - before) / 1e9;

    RuleTotal now = totals.of("lower-priority-in-node");
    assertThat(now.preemptions() - was.preemptions()).isEqualTo(1);
    assertThat(now.gpuSecondsLost() - was.gpuSecondsLost())
        .as("8 GPUs times the 1.2 s or more it ran, at most the time since it started")
        .isBetween(8 * 1.2, 8 * elapsed);
    assertThat(transactions.read(records::totals)).containsKey("lower-priority-in-node");
    assertThat(queue.held(node)).isEqualTo(8);
  }

  /**
   * The module's test classes share one database: without this, the survivor would work through
   * every outbox row they left (thousands after QueueSettlesIT, five minutes against the mock).
   */
  private void leaveOnlyTheOutboxRowOf(long task) {
    onOutbox("DELETE FROM platform.reconcile_outbox WHERE NOT (kind = ? AND object_key = ?)", task);
  }

  private void expireClaim(long task) {
    onOutbox(
        "UPDATE platform.reconcile_outbox SET claimed_until = now() - interval '1 second'"
            + " WHERE kind = ? AND object_key = ?",
        task);
  }

  /** Runs {@code sql} whose parameters are 1 the task reconciler's kind and 2 the task's key. */
  private void onOutbox(String sql, long task) {
    transactions.write(
        "test",
        c -> {
          try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, TaskReconciler.KIND);
            statement.setString(2, String.valueOf(task));
            return statement.executeUpdate();
          }
        });
  }

  private static void sleep(Duration time) {
    try {
      Thread.sleep(time.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private List<Pod> podsOf(long task) {
    return kubernetes
        .pods()
        .inAnyNamespace()
        .withLabel("rota.dev/task-id", String.valueOf(task))
        .list()
        .getItems();
  }

  private void setPhase(long task, String phase) {
    Pod pod = podsOf(task).get(0);
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase(phase)
            .addNewContainerStatus()
            .withName("task")
            .withState(new ContainerStateBuilder().build())
            .endContainerStatus()
            .build());
    kubernetes.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
  }

  private List<String> reasons(long task) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT reason FROM queue.task_events WHERE task_id = ? ORDER BY id")) {
            select.setLong(1, task); // 1 task id
            List<String> reasons = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                reasons.add(row.getString(1));
              }
            }
            return reasons;
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
