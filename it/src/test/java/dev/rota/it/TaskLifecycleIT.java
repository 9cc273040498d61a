package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A task's whole life inside Liberty, driven by nothing but the server's timers, its LISTEN/NOTIFY
 * wake-ups, its controller loop and the simulated kubelet: submitted, admitted, dispatched as a
 * Pod, running, succeeded — or failed, or ended by its maxRuntime.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TaskLifecycleIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long project;
  private String member;

  @BeforeEach
  void a_project_with_a_member() {
    RotaClient.ProjectMember work = rota.projectWithMember(admin, "life " + suffix);
    project = work.project();
    member = work.token();
  }

  @Test
  void a_task_is_admitted_dispatched_runs_and_succeeds_through_the_servers_own_loops()
      throws Exception {
    long id = submit(2, List.of("python", "train.py"), "6", null);

    JsonObject running = waitFor(id, "running");
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      List<Pod> pods = podsOf(cluster, id);
      assertThat(pods).hasSize(2);
      for (Pod pod : pods) {
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("rota-n" + project);
        assertThat(pod.getSpec().getNodeName()).isNotBlank();
        assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("rota-task-rota-normal");
      }
      var copy =
          cluster.scheduling().v1().priorityClasses().withName("rota-task-rota-normal").get();
      assertThat(copy.getPreemptionPolicy()).isEqualTo("Never");
      assertThat(copy.getValue())
          .isEqualTo(
              cluster.scheduling().v1().priorityClasses().withName("rota-normal").get().getValue());
      // The quota follows what Rota admitted, borrowing included (its reconciler converges it).
      Eventually.await(
          "the namespace's GPU quota holds the 2 admitted GPUs",
          () ->
              "2"
                      .equals(
                          cluster
                              .resourceQuotas()
                              .inNamespace("rota-n" + project)
                              .withName("rota-gpu-quota")
                              .get()
                              .getSpec()
                              .getHard()
                              .get("requests.nvidia.com/gpu")
                              .getAmount())
                  ? Boolean.TRUE
                  : null);
    }
    assertThat(running.getString("quotaMode")).isEqualTo("borrowing");

    waitFor(id, "succeeded");

    assertThat(reasons(id))
        .containsExactly(
            "pending:submitted",
            "admitted:admitted-borrowing",
            "running:pods-running",
            "succeeded:completed");
    assertThat(ServerLog.read()).doesNotContain("DSRA9350E").doesNotContain("CNTR0020E");
  }

  @Test
  void a_failing_replica_fails_the_task_and_a_max_runtime_ends_one_as_timeout() throws Exception {
    long failing = submit(1, List.of("false"), null, null);
    long endless = submit(1, List.of("sleep", "infinity"), "600", "PT2S");

    waitFor(failing, "failed");
    waitFor(endless, "failed");

    assertThat(reasons(failing)).last().isEqualTo("failed:pod-failed");
    assertThat(reasons(endless)).last().isEqualTo("failed:timeout");
  }

  @Test
  void a_maintenance_window_that_starts_on_the_pool_preempts_the_task_running_there()
      throws Exception {
    long id = submit("pool-b", 1, List.of("sleep", "infinity"), "600", null);
    waitFor(id, "running");
    long calendar = poolCalendar("pool-b");
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
    String window =
        "/api/v1/calendars/"
            + calendar
            + "/windows/"
            + RotaClient.id(
                rota.post(
                    admin,
                    "/api/v1/calendars/" + calendar + "/windows",
                    Json.createObjectBuilder()
                        .add("kind", "maintenance")
                        .add("label", "maintenance " + suffix)
                        .add("from", start.toString())
                        .add("to", start.plusSeconds(120).toString())
                        .build()
                        .toString()));
    try {
      JsonObject requeued =
          Eventually.await(
              "the task is preempted by the window and waits for it to end",
              () -> {
                JsonObject task = RotaClient.ok(rota.get(member, "/api/v1/tasks/" + id));
                return "maintenance".equals(task.getString("waitReason", null)) ? task : null;
              });

      assertThat(requeued.getString("state")).isEqualTo("pending");
      assertThat(requeued.getInt("attempt")).isEqualTo(2);
      assertThat(reasons(id))
          .containsExactly(
              "pending:submitted",
              "admitted:admitted-borrowing",
              "running:pods-running",
              "preempting:preempted",
              "pending:requeued-after-preemption");
      assertThat(preemptedAt(id)).as("not before the window started").isAfterOrEqualTo(start);
      try (KubernetesClient cluster = rota.simulatedCluster()) {
        assertThat(podsOf(cluster, id))
            .allSatisfy(pod -> assertThat(pod.getStatus().getPhase()).isNotEqualTo("Running"));
      }
    } finally {
      rota.send(admin, "DELETE", window, null);
      rota.post(member, "/api/v1/tasks/" + id + "/cancel", "{}");
    }
  }

  /** The calendar of a pool of the simulated cluster, created on first use. */
  private long poolCalendar(String pool) {
    var found = RotaClient.ok(rota.get(admin, "/api/v1/calendars?kind=pool&name=" + pool));
    var items = found.getJsonArray("items");
    if (items != null && !items.isEmpty()) {
      return items.getJsonObject(0).getJsonNumber("id").longValue();
    }
    return RotaClient.id(
        rota.post(
            admin,
            "/api/v1/calendars",
            "{\"kind\":\"pool\",\"name\":\"" + pool + "\",\"timeZone\":\"UTC\"}"));
  }

  private Instant preemptedAt(long id) {
    return RotaClient.jsonArray(rota.get(member, "/api/v1/tasks/" + id + "/events"))
        .getValuesAs(JsonObject.class)
        .stream()
        .filter(e -> e.getString("to").equals("preempting"))
        .map(e -> Instant.parse(e.getString("at")))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Issue 12 end to end: two low-priority tasks fill pool-a (2 nodes of 8 GPUs); simulate says
   * which one a high-priority task would preempt, where; the real submission preempts exactly that
   * one, its Pods are deleted, the preemptor runs on its node and succeeds, and the victim requeues
   * and succeeds in its second attempt. Prints the latency from the decision (decided_at) to the
   * victim's Pods being gone, and each stage from the decision to the preemptor's Pods created.
   */
  @Test
  void a_high_priority_task_preempts_where_simulate_said_and_its_victim_requeues_and_finishes()
      throws Exception {
    long lowA = RotaClient.id(rota.post(member, "/api/v1/tasks", body(8, "rota-low", "20")));
    long lowB = RotaClient.id(rota.post(member, "/api/v1/tasks", body(8, "rota-low", "20")));
    waitFor(lowA, "running");
    waitFor(lowB, "running");
    String high = body(8, "rota-high", "2");

    JsonObject plan = RotaClient.ok(rota.post(member, "/api/v1/tasks:simulate", high));

    assertThat(plan.getString("outcome")).as(plan.toString()).isEqualTo("preempting");
    assertThat(plan.getJsonArray("victims")).hasSize(1);
    JsonObject planned = plan.getJsonArray("victims").getJsonObject(0);
    long victim = planned.getJsonNumber("taskId").longValue();
    assertThat(victim).isIn(lowA, lowB);
    assertThat(planned.getInt("gpusFreed")).isEqualTo(8);
    assertThat(rota.get(member, "/api/v1/tasks?nodeId=" + project).body())
        .as("the rehearsal left no task behind")
        .doesNotContain("rota-high");

    long preemptor;
    Instant gone;
    try (KubernetesClient cluster = rota.simulatedCluster();
        PreemptionStages stages = new PreemptionStages(cluster, victim)) {
      Long grace =
          attemptPods(cluster, victim, 1).get(0).getSpec().getTerminationGracePeriodSeconds();
      preemptor = RotaClient.id(rota.post(member, "/api/v1/tasks", high));
      Eventually.await(
          "the victim is preempting",
          () ->
              RotaClient.ok(rota.get(member, "/api/v1/tasks/" + victim))
                      .getString("state")
                      .matches("preempting|pending")
                  ? Boolean.TRUE
                  : null);
      while (!attemptPods(cluster, victim, 1).isEmpty()) {
        Thread.sleep(20);
      }
      gone = Instant.now();
      waitFor(preemptor, "succeeded"); // it runs 2 s: its running may pass between two polls
      Thread.sleep(300); // the watch delivers its last events
      printStages(stages, victim, preemptor, grace);
    }

    JsonObject by =
        RotaClient.ok(rota.get(member, "/api/v1/tasks/" + victim + "/explain"))
            .getJsonArray("preemptedBy")
            .getJsonObject(0);
    Duration latency = Duration.between(Instant.parse(by.getString("at")), gone);
    System.out.println("ROTA-PREEMPTION-LATENCY decision -> victim's Pods gone: " + latency);
    assertThat(by.getInt("attempt")).isEqualTo(1);
    assertThat(by.getJsonNumber("byTaskId").longValue()).isEqualTo(preemptor);
    assertThat(by.getString("rule")).isEqualTo(planned.getString("rule"));
    assertThat(by.getString("node")).isEqualTo(planned.getString("node"));

    waitFor(preemptor, "succeeded");
    assertThat(reasons(preemptor)).contains("running:pods-running", "succeeded:completed");
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      assertThat(attemptPods(cluster, preemptor, 1))
          .extracting(p -> p.getSpec().getNodeName())
          .as("it ran where simulate said it would preempt (ended Pods are kept)")
          .containsExactly(planned.getString("node"));
    }
    JsonObject finished = waitFor(victim, "succeeded");
    assertThat(finished.getInt("attempt")).isEqualTo(2);
    assertThat(reasons(victim))
        .containsSubsequence(
            "running:pods-running",
            "preempting:preempted",
            "pending:requeued-after-preemption",
            "running:pods-running",
            "succeeded:completed");

    String metrics = rota.get("/metrics?scope=application").body();
    String rule = "rule=\"" + planned.getString("rule") + "\"";
    assertThat(metricValue(metrics, "rota_queue_preemptions", rule)).isGreaterThanOrEqualTo(1);
    assertThat(metricValue(metrics, "rota_queue_preemption_lost_gpu_seconds", rule))
        .as("8 GPUs ran a while before the decision")
        .isPositive();
  }

  /**
   * Prints the preemption's stages (decision → preemptor's Pods created) and checks that each
   * happened, in causal order, within a generous bound. Times come from the database (decided_at,
   * the task events' clock_timestamp()), from polling the victim's outbox row, and from a watch on
   * the simulated API server's Pods.
   */
  private static void printStages(PreemptionStages stages, long victim, long preemptor, Long grace)
      throws java.sql.SQLException {
    Map<String, Instant> first = stages.events(victim, 1);
    Map<String, Instant> second = stages.events(victim, 2);
    Map<String, Instant> high = stages.events(preemptor, 1);
    Instant decided = stages.decided(victim);
    assertThat(decided).as("the decision is recorded").isNotNull();
    Instant marked = first.get("preempting");
    Instant visible = stages.outboxVisible(marked);
    Instant claimed = stages.outbox("claimed", marked);
    Instant podsGone = stages.lastPod("DELETED " + victim + "/1");
    Instant requeued = second.get("pending");
    Instant settled = claimed == null ? null : stages.outbox("absent", claimed);
    Instant admitted = high.get("admitted");
    Instant created = stages.pod("ADDED " + preemptor + "/1", decided);
    Instant running = high.get("running");
    Map<String, Instant> stage = new LinkedHashMap<>();
    stage.put("decided (preemptions.decided_at: round's transaction began)", decided);
    stage.put("victim marked preempting (task_events)", marked);
    stage.put("decision committed: outbox row visible (poll 5 ms)", visible);
    stage.put("outbox worker claimed the row", claimed);
    stage.put("victim's Pods gone on the API server (watch)", podsGone);
    stage.put("victim left preempting: requeued (task_events)", requeued);
    stage.put("outbox row settled", settled);
    stage.put("preemptor admitted (task_events)", admitted);
    stage.put("preemptor's Pods created (watch)", created);
    stage.put("preemptor running (task_events)", running);
    StringBuilder out =
        new StringBuilder(
            "ROTA-PREEMPTION-STAGES (victim's terminationGracePeriodSeconds: "
                + (grace == null ? "unset" : grace)
                + "; the mock API server removes a Pod without finalizers at once)\n");
    Instant previous = decided;
    for (Map.Entry<String, Instant> entry : stage.entrySet()) {
      Instant at = entry.getValue();
      out.append(
          String.format(
              "  %-62s %7s ms  (%s ms)%n",
              entry.getKey(),
              at == null ? "-" : Duration.between(decided, at).toMillis(),
              at == null ? "-" : String.format("%+d", Duration.between(previous, at).toMillis())));
      previous = at == null ? previous : at;
    }
    out.append("  unclaimed due outbox rows when the decision became visible: ")
        .append(stages.backlogAt(visible))
        .append('\n');
    System.out.println(out);
    // The outbox row is seen by polling: a row the full resync had enqueued just before may hide
    // its changes between two polls. Everything else must have happened.
    assertThat(Arrays.asList(decided, marked, podsGone, requeued, admitted, created, running))
        .as(out + "\n" + stages.seen())
        .doesNotContainNull();
    // Causal order, as far as each clock can show it: the watch reports after the API server acted.
    assertThat(Stream.of(decided, marked, visible, claimed, podsGone).filter(Objects::nonNull))
        .as(out.toString())
        .isSorted();
    assertThat(Stream.of(marked, claimed, requeued, admitted, running).filter(Objects::nonNull))
        .as(out.toString())
        .isSorted();
    assertThat(List.of(requeued, created)).as(out.toString()).isSorted();
    assertThat(Duration.between(decided, created))
        .as(
            "decision -> preemptor's Pods created, generously bounded for a loaded CI machine\n"
                + out)
        .isLessThan(Duration.ofSeconds(30));
  }

  private String body(int gpus, String priorityClass, String seconds) {
    return Json.createObjectBuilder()
        .add("nodeId", project)
        .add("pool", "pool-a")
        .add("replicas", 1)
        .add("gpusPerReplica", gpus)
        .add("priorityClass", priorityClass)
        .add(
            "container",
            Json.createObjectBuilder()
                .add("image", "registry.example.com/train:1")
                .add("env", Json.createObjectBuilder().add("ROTA_SIMULATED_SECONDS", seconds)))
        .build()
        .toString();
  }

  private static List<Pod> attemptPods(KubernetesClient cluster, long id, int attempt) {
    return podsOf(cluster, id).stream()
        .filter(
            p ->
                String.valueOf(attempt).equals(p.getMetadata().getLabels().get("rota.dev/attempt")))
        .toList();
  }

  /** The value of the first line of {@code name} with every label; fails when there is none. */
  private static double metricValue(String metrics, String name, String... labels) {
    String line =
        metrics
            .lines()
            .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
            .filter(l -> List.of(labels).stream().allMatch(l::contains))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + name + " in " + metrics));
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private long submit(int replicas, List<String> command, String seconds, String maxRuntime) {
    return submit("pool-a", replicas, command, seconds, maxRuntime);
  }

  private long submit(
      String pool, int replicas, List<String> command, String seconds, String maxRuntime) {
    var container =
        Json.createObjectBuilder()
            .add("image", "registry.example.com/train:1")
            .add("command", Json.createArrayBuilder(command));
    if (seconds != null) {
      container.add("env", Json.createObjectBuilder().add("ROTA_SIMULATED_SECONDS", seconds));
    }
    var body =
        Json.createObjectBuilder()
            .add("nodeId", project)
            .add("pool", pool)
            .add("replicas", replicas)
            .add("gpusPerReplica", 1)
            .add("container", container);
    if (maxRuntime != null) {
      body.add("maxRuntime", maxRuntime);
    }
    return RotaClient.id(rota.post(member, "/api/v1/tasks", body.build().toString()));
  }

  private JsonObject waitFor(long id, String state) throws InterruptedException {
    return rota.awaitTaskState(member, id, state, DEADLINE);
  }

  private List<String> reasons(long id) {
    return RotaClient.jsonArray(rota.get(member, "/api/v1/tasks/" + id + "/events"))
        .getValuesAs(JsonObject.class)
        .stream()
        .map(e -> e.getString("to") + ":" + e.getString("reason"))
        .toList();
  }

  private static List<Pod> podsOf(KubernetesClient cluster, long id) {
    return cluster
        .pods()
        .inAnyNamespace()
        .withLabel("rota.dev/task-id", String.valueOf(id))
        .list()
        .getItems();
  }
}
