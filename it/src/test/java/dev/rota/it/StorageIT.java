package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static dev.rota.it.StorageBodies.node;
import static dev.rota.it.StorageBodies.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.json.Json;
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
 * Volumes over REST against the server's simulated cluster (4 GPU nodes in pools pool-a and
 * pool-b): ownership by users and groups, the path rules, cross-tenant refusals, and the PV/PVC
 * pair an attachment produces.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StorageIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long acme;
  private long vision;
  private long other;
  private String alice;

  @BeforeEach
  void a_tree_a_user_and_a_pool_root() {
    send(admin, "PUT", "/api/v1/storage/pools/pool-a", "{\"root\":\"/data\"}", 200);
    acme =
        RotaClient.id(
            send(admin, "POST", "/api/v1/nodes", node("group", null, "Acme " + suffix), 201));
    vision =
        RotaClient.id(send(admin, "POST", "/api/v1/nodes", node("project", acme, "Vision"), 201));
    long rival =
        RotaClient.id(
            send(admin, "POST", "/api/v1/nodes", node("group", null, "Rival " + suffix), 201));
    other =
        RotaClient.id(send(admin, "POST", "/api/v1/nodes", node("project", rival, "Theirs"), 201));
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
  void a_group_volume_attached_to_a_subproject_becomes_a_pv_bound_to_exactly_one_claim() {
    long detection =
        RotaClient.id(
            send(admin, "POST", "/api/v1/nodes", node("subproject", vision, "Detection"), 201));
    long volume =
        RotaClient.id(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("datasets", "acme_" + suffix, "/data/acme-" + suffix + "/datasets"),
                201));

    JsonObject attached =
        RotaClient.ok(
            send(
                admin,
                "POST",
                "/api/v1/volumes/" + volume + "/attachments",
                "{\"nodeId\":" + detection + "}",
                200));

    assertThat(attached.getString("namespace")).isEqualTo("rota-n" + detection);
    HttpResponse<String> yaml =
        rota.send(rota.authorized("/api/v1/volumes/" + volume + "/manifests", admin));
    assertThat(yaml.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
    assertThat(yaml.body())
        .contains("kind: \"PersistentVolume\"", "kind: \"PersistentVolumeClaim\"");
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      PersistentVolumeClaim pvc =
          Eventually.await(
              "the claim",
              () ->
                  cluster
                      .persistentVolumeClaims()
                      .inNamespace("rota-n" + detection)
                      .withName("rota-vol-" + volume)
                      .get());
      PersistentVolume pv =
          Eventually.await(
              "the volume bound to the claim",
              () -> {
                PersistentVolume found =
                    cluster.persistentVolumes().withName("rota-vol-" + volume).get();
                return found != null && found.getSpec().getClaimRef() != null ? found : null;
              });
      assertThat(pv.getSpec().getHostPath().getPath())
          .isEqualTo("/data/acme-" + suffix + "/datasets");
      assertThat(
              pv.getSpec()
                  .getNodeAffinity()
                  .getRequired()
                  .getNodeSelectorTerms()
                  .get(0)
                  .getMatchExpressions()
                  .get(0)
                  .getValues())
          .containsExactly("gpu-node-01");
      assertThat(pv.getSpec().getClaimRef().getNamespace()).isEqualTo("rota-n" + detection);
      assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo(pvc.getMetadata().getName());
      assertThat(pvc.getSpec().getVolumeName()).isEqualTo(pv.getMetadata().getName());
      assertThat(pvc.getSpec().getStorageClassName()).isEmpty();
      System.out.println("Generated for a group volume attached to a subproject:\n" + yaml.body());
    }
  }

  @Test
  void a_group_volume_outside_the_groups_subtree_is_refused() {
    long volume =
        RotaClient.id(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("shared", "acme_" + suffix, "/data/acme-" + suffix + "/shared"),
                201));

    JsonObject problem =
        assertProblem(
            send(
                admin,
                "POST",
                "/api/v1/volumes/" + volume + "/attachments",
                "{\"nodeId\":" + other + "}",
                409),
            409,
            "conflict");
    assertThat(problem.getString("constraint")).isEqualTo("attachments_group_volume_in_subtree");
  }

  @Test
  void a_users_volume_is_theirs_alone_and_attaches_only_where_they_are_a_member() {
    String token = rota.token(alice);
    long volume =
        RotaClient.id(
            send(
                token,
                "POST",
                "/api/v1/volumes",
                volume("scratch", null, "/data/users/" + alice),
                201));

    RotaClient.ok(
        send(
            token,
            "POST",
            "/api/v1/volumes/" + volume + "/attachments",
            "{\"nodeId\":" + vision + "}",
            200));
    assertProblem(
        send(
            token,
            "POST",
            "/api/v1/volumes/" + volume + "/attachments",
            "{\"nodeId\":" + other + "}",
            404),
        404,
        "node-not-found");
    String bob = "bob-" + suffix;
    send(admin, "POST", "/api/v1/users", "{\"name\":\"" + bob + "\"}", 201);
    assertProblem(
        rota.send(rota.authorized("/api/v1/volumes/" + volume, rota.token(bob))),
        404,
        "volume-not-found");
    HttpResponse<String> available =
        send(token, "GET", "/api/v1/nodes/" + vision + "/volumes", null, 200);
    assertThat(
            Json.createReader(new java.io.StringReader(available.body()))
                .readArray()
                .getValuesAs(JsonObject.class))
        .extracting(v -> v.getJsonNumber("id").longValue())
        .contains(volume);
  }

  @Test
  void another_owners_overlapping_path_on_the_same_node_is_409() {
    send(
        admin,
        "POST",
        "/api/v1/volumes",
        volume("base", "acme_" + suffix, "/data/o-" + suffix + "/team"),
        201);

    JsonObject inside =
        assertProblem(
            send(
                rota.token(alice),
                "POST",
                "/api/v1/volumes",
                volume("sneak", null, "/data/o-" + suffix + "/team/secrets"),
                409),
            409,
            "conflict");
    assertThat(inside.getString("constraint")).isEqualTo("placements_no_overlap");
    assertProblem(
        send(
            rota.token(alice),
            "POST",
            "/api/v1/volumes",
            volume("above", null, "/data/o-" + suffix),
            409),
        409,
        "conflict");
    send(
        rota.token(alice),
        "POST",
        "/api/v1/volumes",
        volume("beside", null, "/data/o-" + suffix + "/team-b"),
        201);
  }

  @Test
  void traversal_and_escapes_are_refused() {
    for (String path :
        List.of(
            "/data/../etc/passwd",
            "/data/./x",
            "/data//x",
            "/data/%2e%2e/x",
            "/data/\u2024\u2024/x",
            "data/x",
            "/data/x/",
            "/etc/shadow-copy")) {
      HttpResponse<String> response =
          send(admin, "POST", "/api/v1/volumes", volume("bad", "acme_" + suffix, path), -1);
      assertThat(response.statusCode()).as(path + " -> " + response.body()).isIn(400, 409);
    }
    assertProblem(
        send(admin, "PUT", "/api/v1/storage/pools/pool-b", "{\"root\":\"/etc\"}", 422),
        422,
        "pool-root-refused");
  }

  @Test
  void an_attached_volume_cannot_be_deleted_and_an_owner_with_volumes_neither() {
    long volume =
        RotaClient.id(
            send(
                admin,
                "POST",
                "/api/v1/volumes",
                volume("keep", "acme_" + suffix, "/data/k-" + suffix),
                201));
    send(
        admin,
        "POST",
        "/api/v1/volumes/" + volume + "/attachments",
        "{\"nodeId\":" + vision + "}",
        200);

    assertProblem(send(admin, "DELETE", "/api/v1/volumes/" + volume, null, 409), 409, "conflict");
    send(admin, "DELETE", "/api/v1/volumes/" + volume + "/attachments/" + vision, null, 204);
    JsonObject owner =
        assertProblem(
            send(admin, "DELETE", "/api/v1/nodes/" + acme + "?recursive=true", null, 409),
            409,
            "conflict");
    assertThat(owner.getString("constraint")).isEqualTo("volumes_owner_fk");
    send(admin, "DELETE", "/api/v1/volumes/" + volume, null, 204);
  }

  @Test
  void a_selector_matching_no_node_or_malformed_is_400() {
    String nowhere =
        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"nope\"]}]}]}";
    assertProblem(
        send(
            admin,
            "POST",
            "/api/v1/volumes",
            volume("x", "acme_" + suffix, "/data/x-" + suffix, nowhere),
            400),
        400,
        "invalid-volume");
    String badOperator =
        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Near\",\"values\":[\"b\"]}]}]}";
    assertProblem(
        send(
            admin,
            "POST",
            "/api/v1/volumes",
            volume("y", "acme_" + suffix, "/data/y-" + suffix, badOperator),
            400),
        400,
        "invalid-volume");
  }

  @Test
  void fields_outside_the_contracts_bounds_are_400_naming_each_one() {
    JsonObject tooMuch =
        Json.createReader(
                new java.io.StringReader(
                    volume("bounded", null, "/data/b-" + suffix).replace("100Gi", "lots")))
            .readObject();
    String body =
        Json.createObjectBuilder(tooMuch).add("ownerUser", "u".repeat(129)).build().toString();

    JsonObject problem =
        assertProblem(send(admin, "POST", "/api/v1/volumes", body, 400), 400, "invalid-request");

    assertThat(violatedFields(problem)).contains("ownerUser", "capacity");
    assertThat(
            violatedFields(
                assertProblem(
                    send(admin, "GET", "/api/v1/volumes/0", null, 400), 400, "invalid-request")))
        .containsExactly("id");
    assertThat(
            violatedFields(
                assertProblem(
                    send(
                        admin,
                        "GET",
                        "/api/v1/storage/cluster-nodes/Not_A_Node/volumes",
                        null,
                        400),
                    400,
                    "invalid-request")))
        .containsExactly("name");
  }

  private static List<String> violatedFields(JsonObject problem) {
    return problem.getJsonArray("violations").getValuesAs(JsonObject.class).stream()
        .map(v -> v.getString("field"))
        .toList();
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
