package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GPU quota per pool over REST: the administrators of a node's parent break its totals down per
 * pool, the database refuses what would give more than the parent has, and nobody else changes it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PoolQuotasIT {

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

  @BeforeEach
  void build_a_tree() {
    acme = RotaClient.id(create("group", null, "Acme " + suffix, 16));
    ml = RotaClient.id(create("group", acme, "ML", 8));
    vision = RotaClient.id(create("project", ml, "Vision", 4));
  }

  @Test
  void a_parents_administrator_breaks_a_nodes_totals_down_per_pool() {
    JsonObject set =
        RotaClient.ok(
            rota.put(admin, pools(ml) + "/pool-a", "{\"guaranteedGpus\":6,\"gpuLimit\":8}"));
    RotaClient.ok(rota.put(admin, pools(vision) + "/pool-a", "{\"guaranteedGpus\":4}"));

    assertThat(set.getString("pool")).isEqualTo("pool-a");
    assertThat(set.getInt("guaranteedGpus")).isEqualTo(6);
    assertThat(RotaClient.jsonArray(rota.get(admin, pools(ml))).getValuesAs(JsonObject.class))
        .singleElement()
        .satisfies(row -> assertThat(row.getInt("gpuLimit")).isEqualTo(8));
    assertThat(
            RotaClient.jsonArray(rota.get(admin, pools(vision)))
                .getJsonObject(0)
                .getInt("guaranteedGpus"))
        .isEqualTo(4);
  }

  @Test
  void a_child_cannot_take_more_of_a_pool_than_its_parent_gives_there() {
    RotaClient.ok(rota.put(admin, pools(ml) + "/pool-a", "{\"guaranteedGpus\":2}"));

    JsonObject problem =
        assertProblem(
            rota.put(admin, pools(vision) + "/pool-a", "{\"guaranteedGpus\":3}"), 409, "conflict");

    assertThat(problem.getString("constraint")).isEqualTo("pool_quotas_within_parent");
    assertThat(RotaClient.jsonArray(rota.get(admin, pools(vision)))).isEmpty();
  }

  @Test
  void pool_quotas_are_set_by_the_parents_administrators_and_hidden_from_strangers() {
    String bob = rota.createUser(admin, "bob-" + suffix);
    rota.bind(
        admin, vision, Json.createObjectBuilder().add("user", bob).add("role", "admin").build());
    String bobToken = rota.token(bob);
    String stranger = rota.token(rota.createUser(admin, "eve-" + suffix));

    assertProblem(
        rota.put(bobToken, pools(vision) + "/pool-a", "{\"guaranteedGpus\":1}"), 403, "forbidden");
    assertProblem(rota.get(stranger, pools(vision)), 404, "node-not-found");
    assertProblem(
        rota.put(stranger, pools(vision) + "/pool-a", "{\"guaranteedGpus\":1}"),
        404,
        "node-not-found");
    assertThat(RotaClient.jsonArray(rota.get(bobToken, pools(vision)))).isEmpty();
  }

  @Test
  void bad_pool_names_and_quotas_are_400_and_a_missing_row_is_404() {
    assertProblem(
        rota.put(admin, pools(vision) + "/-bad-", "{\"guaranteedGpus\":1}"),
        400,
        "invalid-request");
    assertProblem(
        rota.put(admin, pools(vision) + "/pool-a", "{\"guaranteedGpus\":-1}"),
        400,
        "invalid-request");
    assertProblem(
        rota.send(admin, "DELETE", pools(vision) + "/pool-b", null), 404, "pool-quota-not-found");
  }

  private String pools(long node) {
    return "/api/v1/nodes/" + node + "/quota/pools";
  }

  private HttpResponse<String> create(String kind, Long parent, String name, int gpus) {
    var body =
        Json.createObjectBuilder().add("kind", kind).add("name", name).add("guaranteedGpus", gpus);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return rota.post(admin, "/api/v1/nodes", body.build().toString());
  }
}
