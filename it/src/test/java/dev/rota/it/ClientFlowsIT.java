package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rota.client.ApiClient;
import dev.rota.client.ApiException;
import dev.rota.client.api.ConfigurationApi;
import dev.rota.client.api.PlatformApi;
import dev.rota.client.api.QueueApi;
import dev.rota.client.api.SchedulingApi;
import dev.rota.client.api.StorageApi;
import dev.rota.client.api.TenancyApi;
import dev.rota.client.model.Attach;
import dev.rota.client.model.BindRole;
import dev.rota.client.model.CalendarView;
import dev.rota.client.model.ChangeRequest;
import dev.rota.client.model.CommitRequest;
import dev.rota.client.model.Container;
import dev.rota.client.model.CreateCalendar;
import dev.rota.client.model.CreateNode;
import dev.rota.client.model.CreateUser;
import dev.rota.client.model.CreateVolume;
import dev.rota.client.model.CreateWindow;
import dev.rota.client.model.EventView;
import dev.rota.client.model.NodeView;
import dev.rota.client.model.PoolRoot;
import dev.rota.client.model.RefView;
import dev.rota.client.model.SubmitTask;
import dev.rota.client.model.TaskView;
import dev.rota.client.model.VolumeView;
import dev.rota.client.model.Window;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The main end-to-end flows through the Java client generated from {@code docs/openapi.yaml}
 * (module {@code client/}), against the real server: a contract that drifts from what the server
 * accepts or answers breaks this test — a renamed operation or field at compile time, a changed
 * shape at run time, since the client here refuses JSON members the contract does not declare.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClientFlowsIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Set<String> FINAL = Set.of("succeeded", "failed", "cancelled");

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  /** The generated client, calling as the holder of {@code token}. */
  private static ApiClient as(String token) {
    ObjectMapper strict =
        ApiClient.createDefaultObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    ApiClient api =
        new ApiClient(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1),
            strict,
            System.getProperty("rota.it.base-url", "http://localhost:19080"));
    // The generated client's own Accept header is kept: for an operation answering 204 it lists
    // only application/problem+json, which the server must accept (it once answered 406).
    api.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    api.setReadTimeout(Duration.ofSeconds(30));
    return api;
  }

  @Test
  void a_tree_a_commit_a_window_a_volume_and_a_task_run_through_the_generated_client()
      throws Exception {
    ApiClient admin = as(rota.token("admin"));
    TenancyApi tenancy = new TenancyApi(admin);

    // A tree: group > project, and a member of the project.
    tenancy.createNode(new CreateNode().kind(CreateNode.KindEnum.GROUP).name("Flows " + suffix));
    NodeView group = tenancy.getNodeByPath("flows_" + suffix);
    tenancy.createNode(
        new CreateNode().kind(CreateNode.KindEnum.PROJECT).name("Vision").parentId(group.getId()));
    NodeView project =
        tenancy.listNodeChildren(group.getId(), null, null).getItems().stream()
            .filter(child -> child.getName().equals("Vision"))
            .findFirst()
            .orElseThrow();
    assertThat(project.getPath()).startsWith("flows_" + suffix).endsWith("vision");
    String user = "flows-" + suffix;
    tenancy.createUser(new CreateUser().name(user));
    tenancy.putNodeMember(
        project.getId(), new BindRole().user(user).role(BindRole.RoleEnum.MEMBER));
    ApiClient member = as(rota.token(user));
    assertThat(new PlatformApi(member).getMe().getName()).isEqualTo(user);

    // A configuration commit on the group's main branch.
    ConfigurationApi config = new ConfigurationApi(admin);
    RefView main = config.getConfigRef(group.getId(), "main");
    config.commitConfig(
        group.getId(),
        new CommitRequest()
            .branch("main")
            .parent(main.getCommit())
            .message("quotas, through the client")
            .addChangesItem(new ChangeRequest().path("quotas").document(Map.of("gpus", 4))));
    assertThat(config.getConfigRef(group.getId(), "main").getCommit())
        .isNotEqualTo(main.getCommit());
    assertThat(config.getConfigDocument(group.getId(), "quotas", "main"))
        .isEqualTo(Map.of("gpus", 4));

    // A weekly window booked for the project; an overlapping one is a 409 problem.
    SchedulingApi scheduling = new SchedulingApi(admin);
    CalendarView calendar =
        scheduling.createCalendar(
            new CreateCalendar()
                .kind(CreateCalendar.KindEnum.POOL)
                .name("pool-" + suffix)
                .timeZone("Europe/Berlin"));
    Window nights =
        scheduling.bookWindow(
            calendar.getId(),
            new CreateWindow()
                .kind(CreateWindow.KindEnum.RESERVATION)
                .ownerNodeId(project.getId())
                .label("nights")
                .start("Tue 22:00")
                .end("Wed 06:00")
                .effectiveFrom("2026-01-05T00:00:00Z"));
    assertThat(nights.getStartSecond()).isEqualTo(86_400 + 22 * 3600);
    assertThat(nights.getEndSecond()).isEqualTo(2 * 86_400 + 6 * 3600);
    ApiException conflict =
        catchThrowableOfType(
            ApiException.class,
            () ->
                scheduling.bookWindow(
                    calendar.getId(),
                    new CreateWindow()
                        .kind(CreateWindow.KindEnum.MAINTENANCE)
                        .start("Wed 05:00")
                        .end("Wed 07:00")
                        .effectiveFrom("2026-01-05T00:00:00Z")));
    assertThat(conflict.getCode()).isEqualTo(409);
    assertThat(conflict.getResponseHeaders().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(conflict.getResponseBody()).contains("windows_no_overlap");

    // A group volume, attached to the project.
    StorageApi storage = new StorageApi(admin);
    storage.updatePoolRoot("pool-a", new PoolRoot().root("/data"), null);
    VolumeView volume =
        storage.createVolume(
            new CreateVolume()
                .name("datasets")
                .ownerGroup("flows_" + suffix)
                .pool("pool-a")
                .hostPath("/data/flows-" + suffix + "/datasets")
                .capacity("100Gi")
                .accessMode(CreateVolume.AccessModeEnum.READ_WRITE_ONCE)
                .nodeAffinity(
                    Map.of(
                        "nodeSelectorTerms",
                        List.of(
                            Map.of(
                                "matchExpressions",
                                List.of(
                                    Map.of(
                                        "key", "kubernetes.io/hostname",
                                        "operator", "In",
                                        "values", List.of("gpu-node-01"))))))));
    VolumeView attached =
        storage.attachVolume(volume.getId(), new Attach().nodeId(project.getId()));
    assertThat(attached.getAttachedNodeId()).isEqualTo(project.getId());
    assertThat(attached.getNamespace()).isEqualTo("rota-n" + project.getId());

    // A task submitted by the member, run by the simulated cluster to its end.
    QueueApi queue = new QueueApi(member);
    TaskView submitted =
        queue.submitTask(
            new SubmitTask()
                .nodeId(project.getId())
                .pool("pool-a")
                .replicas(1)
                .gpusPerReplica(1)
                .container(
                    new Container()
                        .image("registry.example.com/train:1")
                        .command(List.of("python", "train.py"))
                        .env(Map.of("ROTA_SIMULATED_SECONDS", "1"))),
            "flows-" + suffix);
    assertThat(submitted.getState()).isEqualTo("pending");
    TaskView task = awaitFinal(queue, submitted.getId());
    assertThat(task.getState()).isEqualTo("succeeded");
    assertThat(queue.listTaskEvents(task.getId()))
        .extracting(EventView::getTo)
        .containsSubsequence("pending", "admitted", "running", "succeeded");
  }

  private static TaskView awaitFinal(QueueApi queue, long id) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    TaskView task;
    do {
      task = queue.getTask(id);
      if (FINAL.contains(task.getState())) {
        return task;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("task " + id + " did not end within " + DEADLINE + ": " + task);
  }
}
