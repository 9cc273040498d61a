package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static dev.rota.it.StorageBodies.ON_NODE_01;
import static dev.rota.it.StorageBodies.node;
import static dev.rota.it.StorageBodies.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
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
 * Storage under attack, over HTTP against the real WAR and the simulated cluster (gpu-node-01 and
 * -03 in pool-a, -02 and -04 in pool-b): nesting, host path limits, PV type, system roots, node
 * selectors as Kubernetes validates them, pools, who may read pools, and attachments that block
 * moves and role removals.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StorageHardeningIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long acme;
  private long vision;
  private long rival;
  private String alice;

  @BeforeEach
  void a_tree_a_member_and_a_pool_root() {
    send(admin, "PUT", "/api/v1/storage/pools/pool-a", "{\"root\":\"/data\"}", 200);
    acme = id(send(admin, "POST", "/api/v1/nodes", node("group", null, "Acme " + suffix), 201));
    vision = id(send(admin, "POST", "/api/v1/nodes", node("project", acme, "Vision"), 201));
    rival = id(send(admin, "POST", "/api/v1/nodes", node("group", null, "Rival " + suffix), 201));
    alice = "alice-" + suffix;
    send(admin, "POST", "/api/v1/users", "{\"name\":\"" + alice + "\"}", 201);
    send(
        admin,
        "PUT",
        "/api/v1/nodes/" + vision + "/members",
        "{\"user\":\"" + alice + "\",\"role\":\"member\"}",
        204);
  }

  @Test
  void one_owner_cannot_nest_its_own_volumes_and_the_409_names_the_rule() {
    String token = rota.token(alice);
    send(token, "POST", "/api/v1/volumes", volume("outer", null, "/data/n-" + suffix), 201);

    JsonObject inner =
        assertProblem(
            send(
                token,
                "POST",
                "/api/v1/volumes",
                volume("inner", null, "/data/n-" + suffix + "/inner"),
                409),
            409,
            "conflict");

    assertThat(inner.getString("constraint")).isEqualTo("placements_no_overlap");
    assertThat(inner.getString("detail")).contains("never nest, not even one owner's");
  }

  @Test
  void the_pv_mounts_an_existing_directory_and_never_creates_one() {
    long volume =
        id(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("dir", "acme_" + suffix, "/data/d-" + suffix),
                201));

    HttpResponse<String> yaml =
        rota.send(rota.authorized("/api/v1/volumes/" + volume + "/manifests", admin));
    assertThat(yaml.body()).contains("type: \"Directory\"").doesNotContain("DirectoryOrCreate");
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      // The controller loop applies the PV shortly after the commit.
      PersistentVolume pv =
          Eventually.await(
              "the PV", () -> cluster.persistentVolumes().withName("rota-vol-" + volume).get());
      assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("Directory");
    }
  }

  @Test
  void host_paths_beyond_path_max_or_name_max_are_400_and_the_longest_allowed_is_stored() {
    for (int length : List.of(5000, 4255, 4096)) {
      JsonObject problem =
          assertProblem(
              send(
                  admin,
                  "POST",
                  "/api/v1/volumes",
                  volume("long", "acme_" + suffix, pathOf("/data/l-" + suffix, length)),
                  400),
              400,
              "invalid-volume");
      assertThat(problem.getString("detail")).contains(length + " bytes long", "at most 4095");
    }
    assertProblem(
        send(
            admin,
            "POST",
            "/api/v1/volumes",
            volume("seg", "acme_" + suffix, "/data/s-" + suffix + "/" + "x".repeat(256)),
            400),
        400,
        "invalid-volume");
    send(
        admin,
        "POST",
        "/api/v1/volumes",
        volume("longest", "acme_" + suffix, pathOf("/data/l-" + suffix, 4095)),
        201);
  }

  @Test
  void a_pool_root_that_is_contains_or_lies_under_a_system_path_is_422_naming_it() {
    for (String root : List.of("/var", "/var/lib", "/etc", "/var/lib/kubelet/pods", "/usr/x")) {
      JsonObject problem =
          assertProblem(
              send(
                  admin, "PUT", "/api/v1/storage/pools/pool-b", "{\"root\":\"" + root + "\"}", 422),
              422,
              "pool-root-refused");
      assertThat(problem.getString("detail")).as(root).contains("system path '/");
    }
  }

  @Test
  void setting_the_root_of_a_pool_the_cluster_lacks_needs_a_deliberate_flag() {
    String pool = "/api/v1/storage/pools/pool-" + suffix;

    JsonObject problem =
        assertProblem(
            send(admin, "PUT", pool, "{\"root\":\"/data\"}", 422), 422, "pool-root-refused");
    assertThat(problem.getString("detail")).contains("allowUnknown=true");
    send(admin, "PUT", pool + "?allowUnknown=true", "{\"root\":\"/data\"}", 200);
    assertThat(
            send(admin, "PUT", "/api/v1/storage/pools/Not_A_Pool", "{\"root\":\"/data\"}", 400)
                .body())
        .contains("must be a node pool name");
  }

  @Test
  void pool_roots_are_read_by_administrators_and_members_and_refused_to_strangers() {
    String stranger = "stranger-" + suffix;
    send(admin, "POST", "/api/v1/users", "{\"name\":\"" + stranger + "\"}", 201);

    assertProblem(
        send(rota.token(stranger), "GET", "/api/v1/storage/pools", null, 403),
        403,
        "volume-forbidden");
    assertProblem(
        send(rota.token("nobody-" + suffix), "GET", "/api/v1/storage/pools", null, 403),
        403,
        "volume-forbidden");
    assertThat(send(rota.token(alice), "GET", "/api/v1/storage/pools", null, 200).body())
        .contains("\"pool\":\"pool-a\"");
    send(admin, "GET", "/api/v1/storage/pools", null, 200);
  }

  @Test
  void node_affinity_kubernetes_would_refuse_is_400_naming_the_field() {
    String term = "{\"nodeSelectorTerms\":[{\"matchExpressions\":[%s]}]}";
    List<List<String>> cases =
        List.of(
            List.of(
                term.formatted("{\"key\":\"kubernetes.io/hostname\",\"values\":[\"gpu-node-01\"]}"),
                "nodeAffinity.nodeSelectorTerms[0].matchExpressions[0].operator is required"),
            List.of(
                term.formatted("{\"key\":\"gpus\",\"operator\":\"Gt\",\"values\":[\"1\",\"2\"]}"),
                "matchExpressions[0].values must have exactly one value when operator is Gt"),
            List.of(
                term.formatted("{\"key\":\"no good/key/x\",\"operator\":\"Exists\"}"),
                "matchExpressions[0].key must be a qualified name"),
            List.of(
                term.formatted("{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}"),
                "matchExpressions[0].values must have at least one value when operator is In"),
            List.of(
                term.formatted("{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"b\"]}"),
                "matchExpressions[0].values must be empty when operator is Exists"),
            List.of("[" + ON_NODE_01 + "]", "nodeAffinity must be an object, not an array"),
            List.of("\"gpu-node-01\"", "nodeAffinity must be an object, not a string"));
    for (List<String> c : cases) {
      JsonObject problem =
          assertProblem(
              send(
                  admin,
                  "POST",
                  "/api/v1/volumes",
                  volume("bad", "acme_" + suffix, "/data/b-" + suffix, c.get(0)),
                  400),
              400,
              "invalid-volume");
      assertThat(problem.getString("detail")).as(c.get(0)).contains(c.get(1)).doesNotContain("@");
    }
  }

  @Test
  void a_selector_that_picks_nodes_outside_the_volumes_pool_is_422() {
    JsonObject onlyOther =
        assertProblem(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("b", "acme_" + suffix, "/data/p-" + suffix, hostname("gpu-node-02")),
                422),
            422,
            "volume-outside-pool");
    assertThat(onlyOther.getString("detail")).contains("matches no node of pool 'pool-a'");
    String everywhere =
        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"nvidia.com/gpu.present\","
            + "\"operator\":\"Exists\"}]}]}";
    JsonObject alsoOther =
        assertProblem(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("all", "acme_" + suffix, "/data/p-" + suffix, everywhere),
                422),
            422,
            "volume-outside-pool");
    assertThat(alsoOther.getString("detail")).contains("also matches nodes outside pool 'pool-a'");
  }

  @Test
  void moving_a_project_out_of_the_group_is_409_while_the_groups_volume_is_attached_in_it() {
    long detection =
        id(send(admin, "POST", "/api/v1/nodes", node("subproject", vision, "Detection"), 201));
    long volume =
        id(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("g", "acme_" + suffix, "/data/g-" + suffix),
                201));
    send(
        admin,
        "POST",
        "/api/v1/volumes/" + volume + "/attachments",
        "{\"nodeId\":" + detection + "}",
        200);

    JsonObject problem =
        assertProblem(
            send(
                admin,
                "POST",
                "/api/v1/nodes/" + vision + "/move",
                "{\"parentId\":" + rival + "}",
                409),
            409,
            "conflict");
    assertThat(problem.getString("constraint")).isEqualTo("attachments_stay_in_group_subtree");
    assertThat(problem.getString("detail")).contains("detach the volume first");

    send(admin, "DELETE", "/api/v1/volumes/" + volume + "/attachments/" + detection, null, 204);
    send(admin, "POST", "/api/v1/nodes/" + vision + "/move", "{\"parentId\":" + rival + "}", 200);
  }

  @Test
  void removing_a_users_role_is_409_while_their_volume_is_attached_where_it_counts() {
    String token = rota.token(alice);
    long volume =
        id(send(token, "POST", "/api/v1/volumes", volume("u", null, "/data/u-" + suffix), 201));
    send(
        token,
        "POST",
        "/api/v1/volumes/" + volume + "/attachments",
        "{\"nodeId\":" + vision + "}",
        200);

    JsonObject problem =
        assertProblem(
            send(admin, "DELETE", "/api/v1/nodes/" + vision + "/members?user=" + alice, null, 409),
            409,
            "conflict");
    assertThat(problem.getString("constraint")).isEqualTo("attachments_owner_stays_member");

    send(token, "DELETE", "/api/v1/volumes/" + volume + "/attachments/" + vision, null, 204);
    send(admin, "DELETE", "/api/v1/nodes/" + vision + "/members?user=" + alice, null, 204);
  }

  private static String hostname(String node) {
    return "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
        + "\"operator\":\"In\",\"values\":[\""
        + node
        + "\"]}]}]}";
  }

  /** A path of exactly {@code length} bytes under {@code base}, in segments of at most 200. */
  private static String pathOf(String base, int length) {
    StringBuilder path = new StringBuilder(base);
    while (path.length() < length) {
      int size = Math.max(1, Math.min(200, length - path.length() - 1));
      path.append('/').append("q".repeat(size));
    }
    return path.toString();
  }

  private static long id(HttpResponse<String> response) {
    return RotaClient.id(response);
  }

  private HttpResponse<String> send(
      String token, String method, String path, String json, int expected) {
    var request =
        rota.authorized(path, token)
            .header("Content-Type", "application/json")
            .method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json));
    HttpResponse<String> response = rota.send(request);
    if (expected > 0) {
      assertThat(response.statusCode())
          .as(method + " " + path + ": " + response.body())
          .isEqualTo(expected);
    }
    return response;
  }
}
