package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.queue.internal.persistence.DispatchRepository.Claim;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dispatch against the real database and fabric8's CRUD mock API server: the claim under real
 * threads, leases, the reaper, the Pods a dispatch creates, and the task states their phases drive.
 */
class DispatchIT {

  private static final Duration LEASE = Duration.ofSeconds(30);

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final SimulatedCluster cluster = SimulatedCluster.start(0, 8, List.of());
  private final KubernetesClient kubernetes = cluster.client();
  private final Installation installation = new Installation("dispatch-it");
  private final GpuQuotaReconciler quota =
      new GpuQuotaReconciler(transactions, kubernetes, installation, new Outbox());
  private final TaskReconciler pods =
      new TaskReconciler(transactions, kubernetes, installation, new Outbox(), quota);
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 200, Duration.ofDays(1));

  @AfterEach
  void clean_up() {
    cluster.close();
    queue.close();
  }

  private Dispatcher dispatcher(Duration lease) {
    return new Dispatcher(transactions, pods, lease, 50, Duration.ofSeconds(1));
  }

  /** A worker with a connection of its own, as each thread of a pooled server has. */
  private Dispatcher dispatcherOnItsOwnConnection() throws java.sql.SQLException {
    return new Dispatcher(
        TestDatabase.onOneConnection(TestDatabase.get().dataSource().getConnection()),
        pods,
        LEASE,
        50,
        Duration.ofSeconds(1));
  }

  @Test
  void eight_threads_claiming_ten_thousand_tasks_dispatch_each_exactly_once() throws Exception {
    queue.node(8);
    long project = queue.project();
    int tasks = 10_000;
    seedAdmitted(project, tasks);
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Dispatcher worker = dispatcherOnItsOwnConnection();
      results.add(
          pool.submit(
              () -> {
                start.await();
                List<Long> mine = new ArrayList<>();
                for (List<Claim> batch = worker.claim(); !batch.isEmpty(); batch = worker.claim()) {
                  batch.forEach(claim -> mine.add(claim.taskId()));
                  assertThat(worker.complete(batch)).as("all recorded").hasSameSizeAs(batch);
                }
                return mine;
              }));
    }
    List<Long> claimed = new ArrayList<>();
    List<Integer> perWorker = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      List<Long> mine = result.get(5, TimeUnit.MINUTES);
      claimed.addAll(mine);
      perWorker.add(mine.size());
    }
    pool.shutdown();

    assertThat(claimed).hasSize(tasks).doesNotHaveDuplicates();
    assertThat(perWorker).as("every worker took a share").allMatch(n -> n > 0);
    assertThat(
            count(
                "SELECT count(*) FROM queue.dispatches d JOIN queue.tasks t ON t.id = d.task_id"
                    + " WHERE t.pool = '"
                    + queue.pool
                    + "'"))
        .isEqualTo(tasks);
    assertThat(count("SELECT count(*) FROM queue.tasks WHERE claimed_by IS NOT NULL")).isZero();
  }

  @Test
  void a_worker_stopped_after_its_claim_loses_it_to_the_reaper_and_another_dispatches_it()
      throws Exception {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 2);
    Dispatcher stopped = dispatcher(Duration.ofSeconds(1));
    Dispatcher survivor = dispatcher(LEASE);
    List<Claim> taken = stopped.claim();
    assertThat(taken).extracting(Claim::taskId).containsExactly(task);
    assertThat(survivor.claim()).as("claimed: invisible to others").isEmpty();

    List<Long> reaped = List.of();
    for (Instant until = Instant.now().plusSeconds(10);
        reaped.isEmpty() && Instant.now().isBefore(until); ) {
      Thread.sleep(200);
      reaped = survivor.reap();
    }

    assertThat(reaped).containsExactly(task);
    List<Claim> retaken = survivor.claim();
    assertThat(retaken).extracting(Claim::taskId).containsExactly(task);
    assertThat(stopped.complete(taken)).as("the stopped worker's claim is gone").isEmpty();
    assertThat(survivor.dispatch(retaken.get(0))).isTrue();
    assertThat(podsOf(task)).hasSize(1);
  }

  @Test
  void a_task_admitted_behind_the_workers_last_claim_is_claimed_after_the_next_rewind() {
    queue.node(8);
    long project = queue.project();
    seedAdmitted(project, 3);
    Dispatcher worker = dispatcher(LEASE);
    List<Claim> first = worker.claim();
    assertThat(first).hasSize(3);
    long late = admittedTask(project, 1, 1);
    transactions.write( // committed after the cursor, admitted "before" it
        TestQueue.ACTOR,
        c ->
            c.createStatement()
                .executeUpdate(
                    "UPDATE queue.tasks SET admitted_at = now() - interval '1 hour' WHERE id = "
                        + late));

    assertThat(worker.claim()).as("behind the cursor").isEmpty();
    worker.rewind(); // what every tick does

    assertThat(worker.claim()).extracting(Claim::taskId).containsExactly(late);
  }

  @Test
  void the_heartbeat_keeps_a_claim_beyond_its_lease() throws Exception {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 2);
    Dispatcher worker = dispatcher(Duration.ofSeconds(1));
    assertThat(worker.claim()).extracting(Claim::taskId).containsExactly(task);

    for (int i = 0; i < 6; i++) {
      Thread.sleep(400);
      assertThat(worker.heartbeat()).isEqualTo(1);
      assertThat(worker.reap()).isEmpty();
    }
  }

  @Test
  void a_claim_left_behind_by_a_failed_round_is_not_renewed_and_returns_to_the_queue()
      throws Exception {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 2);
    Dispatcher worker = dispatcher(Duration.ofSeconds(1));
    List<Claim> taken = worker.claim();
    assertThat(taken).extracting(Claim::taskId).containsExactly(task);
    // What dispatchAll does when a round fails between claim and record (the database went away):
    // the living instance must not keep the claim alive with its heartbeat.
    worker.abandon(taken);

    List<Long> reaped = List.of();
    for (Instant until = Instant.now().plusSeconds(10);
        reaped.isEmpty() && Instant.now().isBefore(until); ) {
      Thread.sleep(200);
      assertThat(worker.heartbeat()).as("an abandoned claim is not renewed").isZero();
      reaped = worker.reap();
    }

    assertThat(reaped).containsExactly(task);
    worker.rewind(); // the tick reaps, then rewinds the claim's cursor
    assertThat(worker.dispatchAll()).as("dispatched once its lease ran out").isEqualTo(1);
    assertThat(podsOf(task)).hasSize(1);
  }

  @Test
  void a_dispatch_raises_the_quota_then_creates_pinned_pods_naming_a_never_preempting_class_copy() {
    String node = queue.node(8);
    long project = queue.project();
    long task = admittedTask(project, 2, 3);

    assertThat(dispatcher(LEASE).dispatchAll()).isEqualTo(1);

    List<Pod> created = podsOf(task);
    assertThat(created).hasSize(2);
    for (Pod pod : created) {
      assertThat(pod.getMetadata().getNamespace()).isEqualTo("rota-n" + project);
      assertThat(pod.getMetadata().getName()).matches("rota-task-" + task + "-a1-r[01]");
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("rota.dev/task-id", String.valueOf(task))
          .containsEntry("rota.dev/attempt", "1")
          .containsEntry(Installation.LABEL, installation.id());
      assertThat(pod.getSpec().getNodeName()).isEqualTo(node);
      assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("rota-task-rota-normal");
      assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
      assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
          .containsKey("nvidia.com/gpu");
      assertThat(
              pod.getSpec()
                  .getContainers()
                  .get(0)
                  .getResources()
                  .getLimits()
                  .get("nvidia.com/gpu")
                  .getAmount())
          .isEqualTo("3");
    }
    assertThat(gpuQuota(project)).as("what Rota admitted there, borrowing included").isEqualTo("6");
    assertThat(queue.task(task).state()).isEqualTo("admitted");
    PriorityClass original =
        kubernetes.scheduling().v1().priorityClasses().withName("rota-normal").get();
    PriorityClass named =
        kubernetes.scheduling().v1().priorityClasses().withName("rota-task-rota-normal").get();
    assertThat(named).as("created before the Pods that name it").isNotNull();
    assertThat(named.getValue()).as("the original's value").isEqualTo(original.getValue());
    assertThat(named.getPreemptionPolicy())
        .as("nothing but Rota preempts for a Rota Pod")
        .isEqualTo("Never");
    assertThat(named.getGlobalDefault()).isFalse();
    assertThat(named.getMetadata().getLabels())
        .containsEntry(Installation.LABEL, installation.id());
  }

  @Test
  void dispatching_an_attempt_again_creates_nothing_new_and_the_database_refuses_a_second_record() {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 1);
    Dispatcher worker = dispatcher(LEASE);
    Claim claim = worker.claim().get(0);
    assertThat(worker.dispatch(claim)).isTrue();

    assertThat(pods.dispatch(task, 1)).isTrue(); // a repeated create: 409, taken as done
    assertThat(podsOf(task)).hasSize(1);
    assertThat(count("SELECT count(*) FROM queue.dispatches WHERE task_id = " + task)).isEqualTo(1);
    assertThat(worker.claim()).as("a dispatched task is nobody's work").isEmpty();
  }

  @Test
  void pod_phases_drive_the_task_to_running_then_succeeded_and_free_its_gpus() {
    String node = queue.node(8);
    long project = queue.project();
    long task = admittedTask(project, 2, 2);
    dispatcher(LEASE).dispatchAll();

    setPhase(task, 0, "Running", null);
    pods.reconcile(String.valueOf(task));
    assertThat(queue.task(task).state())
        .as("one replica runs, the other not yet")
        .isEqualTo("admitted");
    setPhase(task, 1, "Running", null);
    pods.reconcile(String.valueOf(task));
    assertThat(queue.task(task).state()).isEqualTo("running");

    setPhase(task, 0, "Succeeded", null);
    setPhase(task, 1, "Succeeded", null);
    pods.reconcile(String.valueOf(task));

    assertThat(queue.task(task).state()).isEqualTo("succeeded");
    assertThat(queue.held(node)).isZero();
    quota.reconcile(String.valueOf(project));
    assertThat(gpuQuota(project)).isEqualTo("0");
    assertThat(reasons(task)).containsSubsequence("pods-running", "completed");
  }

  @Test
  void one_failed_replica_fails_the_task_deletes_its_siblings_and_a_deadline_reads_as_timeout() {
    queue.node(8);
    long project = queue.project();
    long failing = admittedTask(project, 2, 1);
    long timedOut = admittedTask(project, 1, 1);
    dispatcher(LEASE).dispatchAll();
    setPhase(failing, 0, "Running", null);
    setPhase(failing, 1, "Failed", "Error");
    setPhase(timedOut, 0, "Failed", "DeadlineExceeded");

    pods.reconcile(String.valueOf(failing));
    pods.reconcile(String.valueOf(timedOut));

    assertThat(queue.task(failing).state()).isEqualTo("failed");
    assertThat(reasons(failing)).last().isEqualTo("pod-failed");
    assertThat(podsOf(failing))
        .as("the running sibling is deleted, the failed Pod kept for its logs")
        .extracting(p -> p.getStatus().getPhase())
        .containsExactly("Failed");
    assertThat(queue.task(timedOut).state()).isEqualTo("failed");
    assertThat(reasons(timedOut)).last().isEqualTo("timeout");
  }

  @Test
  void cancelling_a_dispatched_task_enqueues_its_pods_for_deletion_in_the_same_transaction() {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 1);
    dispatcher(LEASE).dispatchAll();
    setPhase(task, 0, "Running", null);

    transactions.write(
        "submitter",
        c -> new dev.rota.queue.internal.persistence.TaskRepository().cancel(c, task, "test"));
    assertThat(
            count(
                "SELECT count(*) FROM platform.reconcile_outbox WHERE kind = 'queue.task'"
                    + " AND object_key = '"
                    + task
                    + "'"))
        .isEqualTo(1);
    pods.reconcile(String.valueOf(task));

    assertThat(podsOf(task)).isEmpty();
  }

  @Test
  void pods_that_end_before_their_dispatch_is_recorded_wait_for_the_worker_that_records_it() {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 1);
    // A worker made the Pod, then lost its claim before recording (killed, or past its lease).
    assertThat(pods.dispatch(task, 1)).isTrue();
    setPhase(task, 0, "Succeeded", null);

    pods.reconcile(String.valueOf(task));
    assertThat(queue.task(task).state())
        .as("no attempt ends without its dispatch record")
        .isEqualTo("admitted");

    assertThat(dispatcher(LEASE).dispatchAll()).as("dispatched again and recorded").isEqualTo(1);
    pods.reconcile(String.valueOf(task));

    assertThat(queue.task(task).state()).isEqualTo("succeeded");
    assertThat(podsOf(task)).hasSize(1);
    assertThat(count("SELECT count(*) FROM queue.dispatches WHERE task_id = " + task)).isEqualTo(1);
  }

  @Test
  void the_resync_and_a_cancellation_handle_pods_that_have_no_status_yet() {
    queue.node(8);
    long task = admittedTask(queue.project(), 1, 1);
    dispatcher(LEASE).dispatchAll();
    assertThat(podsOf(task))
        .as("as created, before any kubelet wrote a status")
        .allMatch(p -> p.getStatus() == null || p.getStatus().getPhase() == null);

    assertThat(pods.resyncKeys()).contains(String.valueOf(task));

    transactions.write(
        "submitter",
        c -> new dev.rota.queue.internal.persistence.TaskRepository().cancel(c, task, "test"));
    pods.reconcile(String.valueOf(task));
    assertThat(podsOf(task)).as("the cancelled task's Pod is deleted").isEmpty();
  }

  /** Tasks admitted as the admission round would leave them, without their Pods. */
  private void seedAdmitted(long project, int tasks) {
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica,
                                           priority_class, priority, spec, state, quota_mode,
                                           admitted_at, submitted_by)
                  SELECT ?, ?, 1, 1, 'rota-normal', 1000, '{"container":{"image":"x"}}',
                         'admitted', 'in_quota', now(), 'seeder'    -- 1 node, 2 pool
                    FROM generate_series(1, ?)                      -- 3 how many
                  """)) {
            insert.setLong(1, project);
            insert.setString(2, queue.pool);
            insert.setInt(3, tasks);
            insert.executeUpdate();
          }
          return null;
        });
  }

  private long admittedTask(long project, int replicas, int gpusPerReplica) {
    long id = queue.submit(project, replicas, gpusPerReplica, "rota-normal");
    admission.admit(queue.pool, Instant.now());
    assertThat(queue.task(id).state()).isEqualTo("admitted");
    return id;
  }

  private List<Pod> podsOf(long task) {
    return kubernetes
        .pods()
        .inAnyNamespace()
        .withLabel("rota.dev/task-id", String.valueOf(task))
        .list()
        .getItems();
  }

  /** Sets a replica's phase as the kubelet would, through the status subresource. */
  private void setPhase(long task, int replica, String phase, String reason) {
    Pod pod =
        podsOf(task).stream()
            .filter(p -> p.getMetadata().getLabels().get("rota.dev/replica").equals("" + replica))
            .findFirst()
            .orElseThrow();
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase(phase)
            .withReason(reason)
            .addNewContainerStatus()
            .withName("task")
            .withState(new ContainerStateBuilder().build())
            .endContainerStatus()
            .build());
    kubernetes.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
  }

  private String gpuQuota(long project) {
    ResourceQuota found =
        kubernetes
            .resourceQuotas()
            .inNamespace("rota-n" + project)
            .withName("rota-gpu-quota")
            .get();
    return found == null
        ? null
        : found.getSpec().getHard().get("requests.nvidia.com/gpu").getAmount();
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
            return Collections.unmodifiableList(reasons);
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
