package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
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
 * The tenancy tree over REST as an integration would use it: a platform administrator builds a
 * tree, grants roles to users and groups, and users see exactly what their roles allow. Each test
 * builds its own tree under a fresh top-level group.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TenancyIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long acme;
  private long ml;
  private long vision;
  private long detection;

  @BeforeEach
  void build_a_tree() {
    acme = RotaClient.id(create(admin, "group", null, "Acme " + suffix, 8));
    ml = RotaClient.id(create(admin, "group", acme, "ML", 4));
    vision = RotaClient.id(create(admin, "project", ml, "Vision", 2));
    detection = RotaClient.id(create(admin, "subproject", vision, "Object Detection", 1));
  }

  @Test
  void the_bounds_the_contract_states_for_node_ids_and_user_names_are_enforced_with_violations() {
    JsonObject contract = rota.contract();
    long minimum =
        RotaClient.parameterSchema(contract, "/api/v1/nodes/{id}", "get", "id")
            .getJsonNumber("minimum")
            .longValue();
    int maxLength =
        RotaClient.parameterSchema(contract, "/api/v1/users/{name}", "get", "name")
            .getInt("maxLength");

    JsonObject belowMinimum =
        assertProblem(rota.get(admin, "/api/v1/nodes/" + (minimum - 1)), 400, "invalid-request");
    JsonObject tooLong =
        assertProblem(
            rota.get(admin, "/api/v1/users/u" + "x".repeat(maxLength)), 400, "invalid-request");

    assertThat(belowMinimum.getJsonArray("violations")).isNotEmpty();
    assertThat(tooLong.getJsonArray("violations")).isNotEmpty();
    assertProblem(
        rota.get(admin, "/api/v1/users/u" + "x".repeat(maxLength - 1)), 404, "user-not-found");
  }

  @Test
  void nodes_are_found_by_id_and_by_path_with_their_namespace() {
    JsonObject byPath =
        RotaClient.ok(rota.get(admin, "/api/v1/nodes/by-path/acme_" + suffix + "/ml/vision"));

    assertThat(byPath.getJsonNumber("id").longValue()).isEqualTo(vision);
    assertThat(byPath.getString("path")).isEqualTo("acme_" + suffix + "/ml/vision");
    assertThat(byPath.getString("namespace")).isEqualTo("rota-n" + vision);
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + detection)).getString("path"))
        .endsWith("/ml/vision/object_detection");
  }

  @Test
  void ancestors_come_root_first_and_descendants_page_by_cursor() {
    List<String> ancestors =
        arrayNames(rota.get(admin, "/api/v1/nodes/" + detection + "/ancestors"));
    assertThat(ancestors).containsExactly("Acme " + suffix, "ML", "Vision");

    JsonObject first =
        RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + acme + "/descendants?limit=2"));
    assertThat(first.getJsonArray("items")).hasSize(2);
    JsonObject second =
        RotaClient.ok(
            rota.get(
                admin,
                "/api/v1/nodes/"
                    + acme
                    + "/descendants?limit=2&cursor="
                    + first.getString("nextCursor")));
    assertThat(second.getJsonArray("items")).hasSize(1);
    assertThat(second.get("nextCursor")).isIn(null, JsonValue.NULL);
  }

  @Test
  void roles_inherit_down_the_tree_and_a_group_grants_exactly_its_own_bindings() {
    String bob = rota.createUser(admin, "bob-" + suffix);
    String carol = rota.createUser(admin, "carol-" + suffix);
    assertThat(
            rota.send(
                    rota.authorized("/api/v1/groups/" + ml + "/members/" + bob, admin)
                        .PUT(BodyPublishers.noBody()))
                .statusCode())
        .isEqualTo(204);
    rota.bind(
        admin,
        acme,
        Json.createObjectBuilder().add("group", "acme_" + suffix).add("role", "admin").build());
    rota.bind(
        admin,
        acme,
        Json.createObjectBuilder()
            .add("group", "acme_" + suffix + "/ml")
            .add("role", "member")
            .build());
    String bobToken = rota.token(bob);
    assertProblem(
        rota.post(bobToken, "/api/v1/nodes/" + ml + "/rename", "{\"name\":\"Mine\"}"),
        403,
        "forbidden");

    assertThat(RotaClient.ok(rota.get(bobToken, "/api/v1/nodes/" + detection)).getString("name"))
        .isEqualTo("Object Detection");
    assertProblem(rota.get(rota.token(carol), "/api/v1/nodes/" + vision), 404, "node-not-found");

    List<String> mine = itemPaths(RotaClient.ok(rota.get(bobToken, "/api/v1/me/nodes?limit=500")));
    assertThat(mine).contains("acme_" + suffix, "acme_" + suffix + "/ml/vision");
    HttpResponse<String> effective =
        rota.get(admin, "/api/v1/nodes/" + vision + "/members?view=effective");
    assertThat(effective.statusCode()).isEqualTo(200);
    assertThat(
            Json.createReader(new java.io.StringReader(effective.body()))
                .readArray()
                .getValuesAs(JsonObject.class))
        .anySatisfy(
            grant -> {
              assertThat(grant.getString("party")).isEqualTo(bob);
              assertThat(grant.getString("role")).isEqualTo("member");
            })
        .noneSatisfy(grant -> assertThat(grant.getString("party")).isEqualTo(carol));
  }

  @Test
  void moving_a_subtree_rewrites_its_paths_and_keeps_its_namespace() {
    long research = RotaClient.id(create(admin, "group", acme, "Research", 2));

    JsonObject moved =
        RotaClient.ok(
            rota.post(
                admin, "/api/v1/nodes/" + vision + "/move", "{\"parentId\":" + research + "}"));

    assertThat(moved.getString("path")).isEqualTo("acme_" + suffix + "/research/vision");
    assertThat(moved.getString("namespace")).isEqualTo("rota-n" + vision);
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + detection)).getString("path"))
        .isEqualTo("acme_" + suffix + "/research/vision/object_detection");
  }

  @Test
  void a_move_under_its_own_descendant_is_409_and_changes_nothing() {
    JsonObject problem =
        assertProblem(
            rota.post(admin, "/api/v1/nodes/" + ml + "/move", "{\"parentId\":" + detection + "}"),
            409,
            "conflict");

    assertThat(problem.getString("constraint")).isIn("nodes_no_cycle", "nodes_kind_hierarchy");
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + ml)).getString("path"))
        .isEqualTo("acme_" + suffix + "/ml");
  }

  @Test
  void bad_names_kinds_and_parents_are_4xx_problems() {
    assertProblem(create(admin, "group", acme, "日本", 0), 400, "invalid-tenancy-request");
    JsonObject tooLong =
        assertProblem(create(admin, "group", acme, "x".repeat(300), 0), 400, "invalid-request");
    assertThat(tooLong.getJsonArray("violations").toString()).contains("name");
    assertProblem(create(admin, "cluster", acme, "Nope", 0), 400, "invalid-request");
    assertProblem(create(admin, "project", 987654321L, "Orphan", 0), 404, "node-not-found");
    JsonObject sibling = assertProblem(create(admin, "group", acme, "ml", 0), 409, "conflict");
    assertThat(sibling.getString("constraint")).isEqualTo("nodes_sibling_label_unique");
  }

  @Test
  void guarantees_above_the_parent_are_409() {
    JsonObject problem = assertProblem(create(admin, "project", ml, "Greedy", 16), 409, "conflict");

    assertThat(problem.getString("constraint")).isEqualTo("nodes_guarantees_within_parent");
  }

  @Test
  void a_non_empty_node_is_deleted_only_recursively() {
    assertProblem(
        rota.send(rota.authorized("/api/v1/nodes/" + ml, admin).DELETE()), 409, "node-not-empty");

    assertThat(
            rota.send(rota.authorized("/api/v1/nodes/" + ml + "?recursive=true", admin).DELETE())
                .statusCode())
        .isEqualTo(204);
    assertProblem(rota.get(admin, "/api/v1/nodes/" + vision), 404, "node-not-found");
  }

  @Test
  void every_change_is_in_the_audit_trail_for_admins_only() {
    JsonObject page = RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + acme + "/audit?limit=10"));

    assertThat(page.getJsonArray("items").getValuesAs(JsonObject.class))
        .extracting(e -> e.getString("actor"))
        .contains("admin");
    String dave = rota.createUser(admin, "dave-" + suffix);
    rota.bind(
        admin, acme, Json.createObjectBuilder().add("user", dave).add("role", "viewer").build());
    assertProblem(rota.get(rota.token(dave), "/api/v1/nodes/" + acme + "/audit"), 403, "forbidden");
  }

  @Test
  void projects_get_a_namespace_whose_gpu_quota_holds_what_the_queue_admitted_there() {
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      Namespace namespace =
          Eventually.await(
              "the namespace", () -> cluster.namespaces().withName("rota-n" + vision).get());
      ResourceQuota quota =
          Eventually.await(
              "the quota",
              () ->
                  cluster
                      .resourceQuotas()
                      .inNamespace("rota-n" + vision)
                      .withName("rota-gpu-quota")
                      .get());

      assertThat(namespace.getMetadata().getLabels())
          .containsEntry("rota.dev/node-id", String.valueOf(vision));
      assertThat(quota.getSpec().getHard().get("requests.nvidia.com/gpu").getAmount())
          .as("no task runs there: GPUs only through the queue")
          .isEqualTo("0");
    }
  }

  private HttpResponse<String> create(
      String token, String kind, Long parent, String name, int gpus) {
    var body =
        Json.createObjectBuilder().add("kind", kind).add("name", name).add("guaranteedGpus", gpus);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return rota.post(token, "/api/v1/nodes", body.build().toString());
  }

  private static List<String> arrayNames(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.createReader(new java.io.StringReader(response.body()))
        .readArray()
        .getValuesAs(JsonObject.class)
        .stream()
        .map(o -> o.getString("name"))
        .toList();
  }

  private static List<String> itemPaths(JsonObject page) {
    return page.getJsonArray("items").getValuesAs(JsonObject.class).stream()
        .map(o -> o.getString("path"))
        .toList();
  }
}
