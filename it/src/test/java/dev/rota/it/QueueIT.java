package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue inside Liberty: a member submits a task over REST and the server's own timer, not the
 * test, mirrors the simulated cluster and admits it; what could never run is refused up front.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QueueIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long project;
  private String alice;

  @BeforeEach
  void a_project_with_a_member() {
    RotaClient.ProjectMember train = rota.projectWithMember(admin, "q " + suffix);
    project = train.project();
    alice = train.token();
  }

  @Test
  void the_servers_timer_admits_a_submitted_task_and_records_each_transition() throws Exception {
    HttpResponse<String> submitted = rota.post(alice, "/api/v1/tasks", task("pool-a", 1, 2, null));
    JsonObject task = RotaClient.ok(submitted);
    assertThat(submitted.statusCode()).isEqualTo(201);
    assertThat(task.getString("state")).isEqualTo("pending");
    assertThat(task.getString("priorityClass")).isEqualTo("rota-normal");
    long id = task.getJsonNumber("id").longValue();

    JsonObject admitted = waitForState(id, "admitted");

    assertThat(admitted.getString("quotaMode")).isEqualTo("borrowing");
    assertThat(
            RotaClient.jsonArray(rota.get(alice, "/api/v1/tasks/" + id + "/events"))
                .getValuesAs(JsonObject.class))
        .extracting(e -> e.getString("to") + ":" + e.getString("reason"))
        // the server dispatches at once, so running may follow before the events are read
        .startsWith("pending:submitted", "admitted:admitted-borrowing");
  }

  @Test
  void a_repeated_idempotency_key_returns_the_first_task() {
    String key = "retry-" + suffix;
    HttpResponse<String> first =
        rota.send(
            rota.authorized("/api/v1/tasks", alice)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(task("pool-b", 1, 1, null))));
    HttpResponse<String> again =
        rota.send(
            rota.authorized("/api/v1/tasks", alice)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(task("pool-b", 1, 1, null))));

    assertThat(RotaClient.ok(again).getJsonNumber("id"))
        .isEqualTo(RotaClient.ok(first).getJsonNumber("id"));
  }

  @Test
  void a_cancelled_task_frees_its_gpus_and_cannot_be_cancelled_twice() throws Exception {
    long id = RotaClient.id(rota.post(alice, "/api/v1/tasks", task("pool-a", 1, 1, null)));

    JsonObject cancelled = RotaClient.ok(rota.post(alice, "/api/v1/tasks/" + id + "/cancel", null));

    assertThat(cancelled.getString("state")).isEqualTo("cancelled");
    assertProblem(
        rota.post(alice, "/api/v1/tasks/" + id + "/cancel", null), 409, "task-state-conflict");
  }

  @Test
  void strangers_cannot_see_or_cancel_a_task_and_get_the_answer_for_a_missing_one() {
    long id = RotaClient.id(rota.post(alice, "/api/v1/tasks", task("pool-a", 1, 1, null)));
    String eve = rota.token(rota.createUser(admin, "eve-" + suffix));

    JsonObject hidden = assertProblem(rota.get(eve, "/api/v1/tasks/" + id), 404, "task-not-found");
    JsonObject missing =
        assertProblem(rota.get(eve, "/api/v1/tasks/9999999999"), 404, "task-not-found");
    assertProblem(rota.post(eve, "/api/v1/tasks/" + id + "/cancel", null), 404, "task-not-found");
    assertProblem(
        rota.post(eve, "/api/v1/tasks", task("pool-a", 1, 1, null)), 404, "node-not-found");
    assertThat(hidden.getString("detail").replace(String.valueOf(id), "N"))
        .isEqualTo(missing.getString("detail").replace("9999999999", "N"));
  }

  @Test
  void what_could_never_run_is_refused_with_the_numbers() {
    JsonObject noPool =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-z", 1, 1, null)), 422, "task-cannot-run");
    JsonObject tooBig =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-a", 1, 9, null)), 422, "task-cannot-run");
    JsonObject tooMany =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-a", 3, 8, null)), 422, "task-cannot-run");
    JsonObject noClass =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-a", 1, 1, "no-such-class")),
            422,
            "task-cannot-run");

    assertThat(noPool.getString("detail")).contains("pool-z");
    assertThat(tooBig.getString("detail")).contains("9 GPUs", "has 8");
    assertThat(tooMany.getString("detail")).contains("at most 2 replicas");
    assertThat(noClass.getString("detail")).contains("no-such-class");
    assertProblem(
        rota.post(
            alice,
            "/api/v1/tasks",
            task("pool-a", 1, 1, null)
                .replace("\"replicas\"", "\"maxRuntime\":\"PTxH\",\"replicas\"")),
        400,
        "invalid-task-request");
    assertProblem(
        rota.post(alice, "/api/v1/tasks", task("pool-a", 0, 1, null)), 400, "invalid-request");
  }

  @Test
  void ids_and_filters_outside_the_contracts_bounds_are_400s_naming_the_field() {
    JsonObject node =
        assertProblem(
            rota.post(
                alice,
                "/api/v1/tasks",
                task("pool-a", 1, 1, null).replace("\"nodeId\":" + project, "\"nodeId\":0")),
            400,
            "invalid-request");
    JsonObject path = assertProblem(rota.get(alice, "/api/v1/tasks/0"), 400, "invalid-request");
    JsonObject state =
        assertProblem(
            rota.get(alice, "/api/v1/tasks?state=" + "s".repeat(17)), 400, "invalid-request");
    JsonObject filter =
        assertProblem(rota.get(alice, "/api/v1/tasks?nodeId=-1"), 400, "invalid-request");

    assertThat(violatedFields(node)).containsExactly("nodeId");
    assertThat(violatedFields(path)).containsExactly("id");
    assertThat(violatedFields(state)).containsExactly("state");
    assertThat(violatedFields(filter)).containsExactly("nodeId");
    assertThat(
            RotaClient.ok(rota.get(alice, "/api/v1/tasks?nodeId=" + project)).getJsonArray("items"))
        .isEmpty();
  }

  private static java.util.List<String> violatedFields(JsonObject problem) {
    return problem.getJsonArray("violations").getValuesAs(JsonObject.class).stream()
        .map(v -> v.getString("field"))
        .toList();
  }

  @Test
  void a_task_mounts_only_volumes_attached_at_its_node_of_its_pool_with_a_node_in_common() {
    assertThat(rota.put(admin, "/api/v1/storage/pools/pool-a", "{\"root\":\"/data\"}").statusCode())
        .isEqualTo(200);
    long on01 = volume("on01", StorageBodies.ON_NODE_01, true);
    long on03 = volume("on03", ON_NODE_03, true);
    long loose = volume("loose", StorageBodies.ON_NODE_01, false);

    HttpResponse<String> mounted =
        rota.post(alice, "/api/v1/tasks", task("pool-a", mount(on01, "/data")));
    assertThat(mounted.statusCode()).as(mounted.body()).isEqualTo(201);

    JsonObject notAttached =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-a", mount(loose, "/data"))),
            422,
            "volume-not-attached");
    JsonObject missing =
        assertProblem(
            rota.post(alice, "/api/v1/tasks", task("pool-a", mount(9_999_999_999L, "/data"))),
            422,
            "volume-not-attached");
    assertThat(notAttached.getString("detail").replace(String.valueOf(loose), "V"))
        .isEqualTo(missing.getString("detail").replace("9999999999", "V"));
    assertThat(
            assertProblem(
                    rota.post(alice, "/api/v1/tasks", task("pool-b", mount(on01, "/data"))),
                    422,
                    "task-cannot-run")
                .getString("detail"))
        .contains("Volume " + on01 + " lives in pool pool-a");
    assertThat(
            assertProblem(
                    rota.post(
                        alice,
                        "/api/v1/tasks",
                        task("pool-a", mount(on01, "/data"), mount(on03, "/models"))),
                    422,
                    "task-cannot-run")
                .getString("detail"))
        .contains("no common node");
    assertProblem(
        rota.post(alice, "/api/v1/tasks", task("pool-a", mount(on01, "/a"), mount(on03, "/a"))),
        400,
        "invalid-task-request");
    assertProblem(
        rota.post(alice, "/api/v1/tasks", task("pool-a", mount(on01, "/data/../etc"))),
        400,
        "invalid-request");
  }

  private static final String ON_NODE_03 =
      StorageBodies.ON_NODE_01.replace("gpu-node-01", "gpu-node-03");

  /** A volume of the project's group in pool-a, attached at the project when asked. */
  private long volume(String name, String affinity, boolean attach) {
    HttpResponse<String> created =
        rota.post(
            admin,
            "/api/v1/volumes",
            StorageBodies.volume(name, "q_" + suffix, "/data/q-" + suffix + "/" + name, affinity));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    long id = RotaClient.id(created);
    if (attach) {
      HttpResponse<String> attached =
          rota.post(
              admin, "/api/v1/volumes/" + id + "/attachments", "{\"nodeId\":" + project + "}");
      assertThat(attached.statusCode()).as(attached.body()).isEqualTo(200);
    }
    return id;
  }

  private static JsonObject mount(long volume, String path) {
    return Json.createObjectBuilder().add("volumeId", volume).add("mountPath", path).build();
  }

  private String task(String pool, JsonObject... mounts) {
    var volumes = Json.createArrayBuilder();
    for (JsonObject mount : mounts) {
      volumes.add(mount);
    }
    return Json.createObjectBuilder(
            Json.createReader(new java.io.StringReader(task(pool, 1, 1, null))).readObject())
        .add("volumes", volumes)
        .build()
        .toString();
  }

  private JsonObject waitForState(long id, String state) throws InterruptedException {
    return rota.awaitTaskState(alice, id, state, Duration.ofSeconds(60));
  }

  private String task(String pool, int replicas, int gpus, String priorityClass) {
    var body =
        Json.createObjectBuilder()
            .add("nodeId", project)
            .add("pool", pool)
            .add("replicas", replicas)
            .add("gpusPerReplica", gpus)
            .add(
                "container",
                Json.createObjectBuilder()
                    .add("image", "busybox")
                    .add("command", Json.createArrayBuilder().add("sleep").add("5")));
    if (priorityClass != null) {
      body.add("priorityClass", priorityClass);
    }
    return body.build().toString();
  }
}
