package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue's read-only views over HTTP: the task list with its filters and cursor, explain, the
 * pools and a pool's queue as a stranger sees it, PriorityClasses, and the queue's metrics.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QueueViewsIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rotaWithProbes();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long project;
  private long sub;
  private long sibling;
  private String aliceName;
  private String alice;

  @BeforeEach
  void a_project_with_a_member_and_a_subproject() {
    long group = node("group", null, "V " + suffix);
    project = node("project", group, "Train");
    sub = node("subproject", project, "Sub");
    sibling = node("project", group, "Other");
    aliceName = rota.createUser(admin, "alice-" + suffix);
    rota.bind(
        admin,
        project,
        Json.createObjectBuilder().add("user", aliceName).add("role", "member").build());
    alice = rota.token(aliceName);
  }

  @Test
  void a_member_lists_the_tasks_of_their_subtree_newest_first_page_by_page() {
    List<Long> submitted = new ArrayList<>();
    submitted.add(submit(project, 1));
    submitted.add(submit(sub, 1));
    submitted.add(submit(project, 1));

    JsonObject first =
        RotaClient.ok(rota.get(alice, "/api/v1/tasks?nodeId=" + project + "&limit=2"));
    JsonObject second =
        RotaClient.ok(
            rota.get(
                alice,
                "/api/v1/tasks?nodeId="
                    + project
                    + "&limit=2&cursor="
                    + first.getString("nextCursor")));

    assertThat(ids(first)).containsExactly(submitted.get(2), submitted.get(1));
    assertThat(ids(second)).containsExactly(submitted.get(0));
    assertThat(second.get("nextCursor")).isIn(null, JsonValue.NULL);
    assertThat(ids(RotaClient.ok(rota.get(alice, "/api/v1/tasks?nodeId=" + sub))))
        .containsExactly(submitted.get(1));
    assertThat(
            ids(
                RotaClient.ok(
                    rota.get(alice, "/api/v1/tasks?pool=pool-a&priorityClass=rota-normal"))))
        .containsAll(submitted);
    assertThat(ids(RotaClient.ok(rota.get(alice, "/api/v1/tasks?state=succeeded")))).isEmpty();
  }

  @Test
  void bad_filters_are_problems_and_an_unseen_node_answers_as_a_missing_one() {
    JsonObject state =
        assertProblem(rota.get(alice, "/api/v1/tasks?state=done"), 400, "invalid-task-request");
    assertThat(state.getString("detail")).contains("pending", "done");
    assertProblem(rota.get(alice, "/api/v1/tasks?pool=Bad_Pool"), 400, "invalid-request");
    assertProblem(rota.get(alice, "/api/v1/tasks?limit=0"), 400, "invalid-request");
    assertProblem(rota.get(alice, "/api/v1/tasks?limit=501"), 400, "invalid-request");
    assertProblem(rota.get(alice, "/api/v1/tasks?cursor=forged.cursor"), 400, "invalid-cursor");

    JsonObject unseen =
        assertProblem(rota.get(alice, "/api/v1/tasks?nodeId=" + sibling), 404, "node-not-found");
    JsonObject missing =
        assertProblem(rota.get(alice, "/api/v1/tasks?nodeId=9999999999"), 404, "node-not-found");
    assertThat(withoutInstance(unseen).replace(String.valueOf(sibling), "N"))
        .isEqualTo(withoutInstance(missing).replace("9999999999", "N"));
  }

  @Test
  void explain_tells_a_task_held_by_its_limit_where_it_stands_and_why() throws Exception {
    HttpResponse<String> limited =
        rota.put(
            admin, "/api/v1/nodes/" + project + "/quota", "{\"guaranteedGpus\":0,\"gpuLimit\":0}");
    assertThat(limited.statusCode()).as(limited.body()).isBetween(200, 204);
    long task = submit(project, 1);

    JsonObject why = waitForLastRound(task);

    assertThat(why.getString("state")).isEqualTo("pending");
    assertThat(why.getJsonNumber("position").longValue()).isPositive();
    assertThat(why.getJsonObject("lastRound").getString("reason")).isEqualTo("limit");
    assertThat(why.getJsonObject("lastRound").getJsonObject("detail").getInt("totalLimit"))
        .isZero();
    JsonObject now = why.getJsonObject("now");
    assertThat(now.getString("blocking")).isEqualTo("limit");
    assertThat(now.getJsonObject("quota").getString("outcome")).isEqualTo("limit");
    assertThat(now.getJsonObject("quota").getJsonNumber("limitedBy").longValue())
        .isEqualTo(project);
    assertThat(now.getJsonObject("calendar").getString("state")).isEqualTo("free");
    assertThat(now.getInt("schedulableNodes")).isPositive();

    String eve = rota.token(rota.createUser(admin, "eve-" + suffix));
    JsonObject hidden =
        assertProblem(rota.get(eve, "/api/v1/tasks/" + task + "/explain"), 404, "task-not-found");
    JsonObject absent =
        assertProblem(rota.get(eve, "/api/v1/tasks/9999999999/explain"), 404, "task-not-found");
    assertThat(withoutInstance(hidden).replace(String.valueOf(task), "N"))
        .isEqualTo(withoutInstance(absent).replace("9999999999", "N"));

    RotaClient.ok(rota.post(alice, "/api/v1/tasks/" + task + "/cancel", null));
    JsonObject ended = RotaClient.ok(rota.get(alice, "/api/v1/tasks/" + task + "/explain"));
    assertThat(ended.getString("state")).isEqualTo("cancelled");
    assertThat(ended.containsKey("now")).as("it does not wait any more").isFalse();
    assertThat(ended.getJsonArray("preemptedBy")).isEmpty();
  }

  @Test
  void simulate_refuses_exactly_as_submit_does_and_keeps_nothing() {
    String eve = rota.token(rota.createUser(admin, "eve-" + suffix));
    String viewer = rota.createUser(admin, "viewer-" + suffix);
    rota.bind(
        admin,
        project,
        Json.createObjectBuilder().add("user", viewer).add("role", "viewer").build());
    List<String> bodies =
        List.of(
            task(project, 1, 1, null),
            task(project, 1, 9, null), // larger than any node: 422
            task(project, 3, 8, null), // more replicas than the pool holds: 422
            task(project, 0, 1, null), // no replica: 400
            task(project, 1, 1, "no-such-class"), // 422
            task(sibling, 1, 1, null), // a node alice may not submit to
            task(9_999_999_999L, 1, 1, null)); // a node that does not exist
    List<Long> before = ids(RotaClient.ok(rota.get(admin, "/api/v1/tasks?limit=1")));
    for (String token : List.of(eve, rota.token(viewer), alice)) {
      for (String body : bodies) {
        HttpResponse<String> simulated = rota.post(token, "/api/v1/tasks:simulate", body);
        if (simulated.statusCode() == 200) {
          assertThat(token).isEqualTo(alice);
          assertThat(body).isEqualTo(bodies.get(0));
          assertThat(RotaClient.json(simulated).getString("outcome"))
              .isIn("admitted", "preempting", "waiting");
          continue;
        }
        HttpResponse<String> submitted = rota.post(token, "/api/v1/tasks", body);
        assertThat(simulated.statusCode()).as(body).isEqualTo(submitted.statusCode());
        assertThat(withoutInstance(RotaClient.json(simulated)))
            .as(body)
            .isEqualTo(withoutInstance(RotaClient.json(submitted)));
      }
    }
    assertThat(ids(RotaClient.ok(rota.get(admin, "/api/v1/tasks?limit=1"))))
        .as("no task was made by a refused submit or any simulate")
        .isEqualTo(before);
  }

  private String task(long node, int replicas, int gpus, String priorityClass) {
    var body =
        Json.createObjectBuilder()
            .add("nodeId", node)
            .add("pool", "pool-a")
            .add("replicas", replicas)
            .add("gpusPerReplica", gpus)
            .add("container", Json.createObjectBuilder().add("image", "busybox"));
    if (priorityClass != null) {
      body.add("priorityClass", priorityClass);
    }
    return body.build().toString();
  }

  @Test
  void a_stranger_sees_anothers_place_in_the_pool_queue_but_not_whose_it_is() throws Exception {
    rota.put(admin, "/api/v1/nodes/" + project + "/quota", "{\"guaranteedGpus\":0,\"gpuLimit\":0}");
    long task = submit(project, 3);
    waitForLastRound(task);
    long elsewhere = node("project", node("group", null, "E " + suffix), "Mine");
    String eveName = rota.createUser(admin, "eve-" + suffix);
    rota.bind(
        admin,
        elsewhere,
        Json.createObjectBuilder().add("user", eveName).add("role", "owner").build());
    String eve = rota.token(eveName);

    HttpResponse<String> hers = rota.get(alice, "/api/v1/pools/pool-a/queue?limit=500");
    HttpResponse<String> his = rota.get(eve, "/api/v1/pools/pool-a/queue?limit=500");

    JsonObject mine =
        entries(RotaClient.ok(hers)).stream()
            .filter(e -> e.containsKey("id") && e.getJsonNumber("id").longValue() == task)
            .findFirst()
            .orElseThrow();
    assertThat(mine.getBoolean("visible")).isTrue();
    assertThat(mine.getString("submittedBy")).isEqualTo(aliceName);
    assertThat(mine.getInt("gpusPerReplica")).isEqualTo(3);
    assertThat(his.body()).doesNotContain(aliceName).doesNotContain("\"id\":" + task);
    assertThat(entries(RotaClient.ok(his)))
        .filteredOn(e -> !e.getBoolean("visible"))
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.keySet())
                    .containsExactlyInAnyOrder(
                        "position", "visible", "priority", "replicas", "gpusPerReplica"));

    String nobody = rota.token(rota.createUser(admin, "nobody-" + suffix));
    assertProblem(rota.get(nobody, "/api/v1/pools/pool-a/queue"), 403, "pool-view-forbidden");
    assertProblem(rota.get(nobody, "/api/v1/pools"), 403, "pool-view-forbidden");
    assertProblem(rota.get(eve, "/api/v1/pools/pool-zz/queue"), 404, "pool-not-found");
    assertProblem(rota.get(eve, "/api/v1/pools/Bad_Pool/queue"), 400, "invalid-request");
  }

  @Test
  void pools_show_their_nodes_free_gpus_and_queue_depth() {
    rota.put(admin, "/api/v1/nodes/" + project + "/quota", "{\"guaranteedGpus\":0,\"gpuLimit\":0}");
    submit(project, 1);

    JsonObject pool =
        RotaClient.jsonArray(rota.get(alice, "/api/v1/pools"))
            .getValuesAs(JsonObject.class)
            .stream()
            .filter(p -> p.getString("name").equals("pool-a"))
            .findFirst()
            .orElseThrow();

    List<JsonObject> nodes = pool.getJsonArray("nodes").getValuesAs(JsonObject.class);
    assertThat(nodes).isNotEmpty();
    for (JsonObject n : nodes) {
      assertThat(n.getInt("usedGpus")).isEqualTo(n.getInt("heldGpus") + n.getInt("foreignGpus"));
      assertThat(n.getInt("freeGpus"))
          .isEqualTo(Math.max(0, n.getInt("allocatableGpus") - n.getInt("usedGpus")));
    }
    JsonObject totals = pool.getJsonObject("totals");
    assertThat(totals.getInt("nodes")).isEqualTo(nodes.size());
    assertThat(totals.getInt("allocatableGpus"))
        .isEqualTo(nodes.stream().mapToInt(n -> n.getInt("allocatableGpus")).sum());
    JsonObject queue = pool.getJsonObject("queue");
    assertThat(queue.getInt("pending")).isPositive();
    assertThat(queue.getJsonArray("byPriority").getValuesAs(JsonObject.class))
        .anySatisfy(c -> assertThat(c.getString("priorityClass")).isEqualTo("rota-normal"));
  }

  @Test
  void every_signed_in_user_reads_the_priority_classes() {
    String nobody = rota.token(rota.createUser(admin, "nobody-" + suffix));

    List<JsonObject> classes =
        RotaClient.jsonArray(rota.get(nobody, "/api/v1/priority-classes"))
            .getValuesAs(JsonObject.class);

    assertThat(classes)
        .extracting(c -> c.getString("name") + ":" + c.getInt("value"))
        .containsExactly(
            "rota-high:10000", "rota-normal:1000", "rota-batch-never:500", "rota-low:100");
    assertThat(classes)
        .filteredOn(c -> c.getBoolean("globalDefault"))
        .extracting(c -> c.getString("name"))
        .containsExactly("rota-normal");
    assertThat(classes.get(2).getString("preemptionPolicy")).isEqualTo("Never");
    assertThat(rota.get("/api/v1/priority-classes").statusCode()).isEqualTo(401);
  }

  @Test
  void the_queue_depth_is_a_gauge_per_pool_and_class_and_admission_and_dispatch_have_meters()
      throws Exception {
    rota.put(admin, "/api/v1/nodes/" + project + "/quota", "{\"guaranteedGpus\":0,\"gpuLimit\":0}");
    submit(project, 1);
    HttpResponse<String> probe =
        rota.send(
            rota.authorized("/api/v1/test-probes/queue-metrics", admin)
                .POST(BodyPublishers.noBody()));
    assertThat(probe.statusCode()).as(probe.body()).isEqualTo(204);

    // The first scrape finds the pool and class and registers their gauge; later ones show it.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    String metrics;
    do {
      metrics = rota.get("/metrics?scope=application").body();
      if (depthLine(metrics) != null) {
        break;
      }
      Thread.sleep(500);
    } while (Instant.now().isBefore(deadline));

    assertThat(depthLine(metrics)).as(metrics).isNotNull();
    assertThat(value(depthLine(metrics))).isPositive();
    assertThat(line(metrics, "rota_queue_pending")).isNotNull();
    assertThat(
            line(
                metrics,
                "rota_queue_admitted_total",
                "pool=\"probe-pool\"",
                "quota_mode=\"in_quota\""))
        .isNotNull();
    assertThat(value(line(metrics, "rota_queue_claim_latency_seconds_count"))).isPositive();
    assertThat(value(line(metrics, "rota_queue_submit_to_running_seconds_count"))).isPositive();
  }

  private static String depthLine(String metrics) {
    return line(metrics, "rota_queue_depth", "pool=\"pool-a\"", "priority_class=\"rota-normal\"");
  }

  private static String line(String metrics, String name, String... labels) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> List.of(labels).stream().allMatch(l::contains))
        .findFirst()
        .orElse(null);
  }

  private static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private JsonObject waitForLastRound(long task) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    JsonObject why;
    do {
      why = RotaClient.ok(rota.get(alice, "/api/v1/tasks/" + task + "/explain"));
      if (why.get("lastRound") != null && why.get("lastRound") != JsonValue.NULL) {
        return why;
      }
      Thread.sleep(200);
    } while (Instant.now().isBefore(deadline));
    throw new AssertionError("no admission round saw task " + task + ": " + why);
  }

  private long submit(long node, int gpus) {
    return RotaClient.id(
        rota.post(
            alice,
            "/api/v1/tasks",
            Json.createObjectBuilder()
                .add("nodeId", node)
                .add("pool", "pool-a")
                .add("replicas", 1)
                .add("gpusPerReplica", gpus)
                .add("container", Json.createObjectBuilder().add("image", "busybox"))
                .build()
                .toString()));
  }

  private long node(String kind, Long parent, String name) {
    var body = Json.createObjectBuilder().add("kind", kind).add("name", name);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return RotaClient.id(rota.post(admin, "/api/v1/nodes", body.build().toString()));
  }

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("items").getValuesAs(JsonObject.class).stream()
        .map(t -> t.getJsonNumber("id").longValue())
        .toList();
  }

  private static List<JsonObject> entries(JsonObject page) {
    return page.getJsonArray("items").getValuesAs(JsonObject.class);
  }

  private static String withoutInstance(JsonObject problem) {
    return Json.createObjectBuilder(problem).remove("instance").build().toString();
  }
}
