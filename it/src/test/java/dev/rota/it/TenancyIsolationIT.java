package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
 * Two tenants over REST, each trying what it must not: a node (or group, or user) one cannot see
 * answers exactly as one that does not exist, and what one may do stays inside one's own subtree.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TenancyIsolationIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  // acme_<s> (alice owner)        globex_<s> (gina owner)
  //   ml (group)                    research (group)
  //     vision (project)              secret (project)
  //       detection (subproject)
  //   ops (group)
  private long acme;
  private long ml;
  private long vision;
  private long detection;
  private long ops;
  private long globex;
  private long research;
  private String alice;
  private String gina;

  @BeforeEach
  void two_tenants() {
    acme = node("group", null, "Acme " + suffix);
    ml = node("group", acme, "ML");
    vision = node("project", ml, "Vision");
    detection = node("subproject", vision, "Detection");
    ops = node("group", acme, "Ops");
    globex = node("group", null, "Globex " + suffix);
    research = node("group", globex, "Research");
    node("project", research, "Secret");
    alice = rota.createUser(admin, "alice-" + suffix);
    gina = rota.createUser(admin, "gina-" + suffix);
    bind(acme, "user", alice, "owner");
    bind(globex, "user", gina, "owner");
  }

  @Test
  void binding_another_tenants_group_answers_as_a_group_that_does_not_exist() {
    String owner = rota.token(alice);
    String members = "/api/v1/nodes/" + vision + "/members";
    String theirs = grant("group", "globex_" + suffix + "/research", "viewer");
    String unbindTheirs = members + "?group=globex_" + suffix + "/research";

    HttpResponse<String> bindWhileItExists = rota.put(owner, members, theirs);
    HttpResponse<String> unbindWhileItExists =
        rota.send(rota.authorized(unbindTheirs, owner).DELETE());
    deleteSubtree(research);
    HttpResponse<String> bindOnceGone = rota.put(owner, members, theirs);
    HttpResponse<String> unbindOnceGone = rota.send(rota.authorized(unbindTheirs, owner).DELETE());

    assertProblem(bindWhileItExists, 404, "node-not-found");
    assertSameProblem(bindWhileItExists, bindOnceGone, 404);
    assertSameProblem(unbindWhileItExists, unbindOnceGone, 404);
    assertThat(RotaClient.jsonArray(rota.get(admin, members + "?view=direct")).toString())
        .doesNotContain("globex");
    assertThat(
            rota.put(owner, members, grant("group", "acme_" + suffix + "/ops", "viewer"))
                .statusCode())
        .as("a group of one's own tenant")
        .isEqualTo(204);
  }

  @Test
  void a_node_one_cannot_see_answers_by_path_exactly_as_one_that_does_not_exist() {
    String owner = rota.token(alice);
    String theirs = "/api/v1/nodes/by-path/globex_" + suffix + "/research";

    HttpResponse<String> whileItExists = rota.get(owner, theirs);
    deleteSubtree(research);
    HttpResponse<String> onceGone = rota.get(owner, theirs);

    assertProblem(whileItExists, 404, "node-not-found");
    assertThat(whileItExists.body()).doesNotContain(String.valueOf(research));
    assertSameProblem(whileItExists, onceGone, 404);
    assertThat(RotaClient.json(onceGone).getString("detail"))
        .isEqualTo("There is no node globex_" + suffix + "/research that you can see.");
  }

  @Test
  void ancestors_list_only_the_ones_the_caller_can_see() {
    String viewer = rota.createUser(admin, "viewer-" + suffix);
    bind(vision, "user", viewer, "viewer");

    List<String> seen =
        RotaClient.jsonArray(
                rota.get(rota.token(viewer), "/api/v1/nodes/" + detection + "/ancestors"))
            .getValuesAs(JsonObject.class)
            .stream()
            .map(n -> n.getString("name"))
            .toList();
    List<String> all =
        RotaClient.jsonArray(rota.get(admin, "/api/v1/nodes/" + detection + "/ancestors"))
            .getValuesAs(JsonObject.class)
            .stream()
            .map(n -> n.getString("name"))
            .toList();

    assertThat(seen).containsExactly("Vision");
    assertThat(all).containsExactly("Acme " + suffix, "ML", "Vision");
  }

  @Test
  void renaming_onto_a_name_taken_where_one_cannot_see_tells_nothing() {
    String owner = rota.token(alice);
    String mlAdmin = rota.createUser(admin, "mladmin-" + suffix);
    bind(ml, "user", mlAdmin, "admin");
    String token = rota.token(mlAdmin);

    assertSameProblem(
        rota.post(owner, "/api/v1/nodes/" + acme + "/rename", name("Globex " + suffix)),
        rota.post(owner, "/api/v1/nodes/" + acme + "/rename", name("Free " + suffix)),
        403);
    assertSameProblem(
        rota.post(token, "/api/v1/nodes/" + ml + "/rename", name("Ops")),
        rota.post(token, "/api/v1/nodes/" + ml + "/rename", name("Free")),
        403);
    JsonObject renamed =
        RotaClient.ok(rota.post(owner, "/api/v1/nodes/" + ml + "/rename", name("Learning")));
    assertThat(renamed.getString("path"))
        .as("the parent's owner renames")
        .isEqualTo("acme_" + suffix + "/learning");
  }

  @Test
  void the_user_directory_is_for_platform_administrators_and_each_user_reads_only_themselves() {
    String token = rota.token(alice);

    assertProblem(rota.get(token, "/api/v1/users"), 403, "forbidden");
    assertThat(RotaClient.ok(rota.get(token, "/api/v1/users/" + alice)).getString("name"))
        .isEqualTo(alice);
    assertSameProblem(
        rota.get(token, "/api/v1/users/" + gina),
        rota.get(token, "/api/v1/users/nobody-" + suffix),
        403);
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/users?limit=500")).toString())
        .contains(alice);
  }

  @Test
  void a_move_needs_admin_at_the_current_parent_and_at_the_new_one() {
    String projectAdmin = rota.createUser(admin, "padmin-" + suffix);
    bind(vision, "user", projectAdmin, "admin");
    bind(ops, "user", projectAdmin, "admin");
    String token = rota.token(projectAdmin);

    assertProblem(
        rota.post(token, "/api/v1/nodes/" + vision + "/move", "{\"parentId\":" + ops + "}"),
        403,
        "forbidden");
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + vision)).getString("path"))
        .isEqualTo("acme_" + suffix + "/ml/vision");

    assertProblem(
        rota.post(
            rota.token(gina), "/api/v1/nodes/" + research + "/move", "{\"parentId\":" + ops + "}"),
        404,
        "node-not-found");
    bind(ml, "user", projectAdmin, "admin");
    assertThat(
            RotaClient.ok(
                    rota.post(
                        token, "/api/v1/nodes/" + vision + "/move", "{\"parentId\":" + ops + "}"))
                .getString("path"))
        .isEqualTo("acme_" + suffix + "/ops/vision");
  }

  @Test
  void only_owners_grant_change_or_remove_an_owners_binding() {
    String acmeAdmin = rota.createUser(admin, "acmeadmin-" + suffix);
    String bob = rota.createUser(admin, "bob-" + suffix);
    bind(acme, "user", acmeAdmin, "admin");
    String token = rota.token(acmeAdmin);
    String members = "/api/v1/nodes/" + acme + "/members";

    assertProblem(rota.put(token, members, grant("user", alice, "viewer")), 403, "forbidden");
    assertProblem(
        rota.send(rota.authorized(members + "?user=" + alice, token).DELETE()), 403, "forbidden");
    assertProblem(rota.put(token, members, grant("user", bob, "owner")), 403, "forbidden");
    assertThat(RotaClient.jsonArray(rota.get(admin, members)).toString())
        .contains("\"party\":\"" + alice + "\",\"partyKind\":\"user\",\"role\":\"owner\"")
        .doesNotContain(bob);

    assertThat(rota.put(token, members, grant("user", bob, "admin")).statusCode()).isEqualTo(204);
    assertThat(rota.put(rota.token(alice), members, grant("user", bob, "owner")).statusCode())
        .isEqualTo(204);
    assertProblem(
        rota.send(rota.authorized(members + "?user=" + bob, token).DELETE()), 403, "forbidden");
  }

  @Test
  void an_admin_cannot_make_someone_an_owner_through_a_group_that_holds_the_owner_role() {
    String mlAdmin = rota.createUser(admin, "mlgroupadmin-" + suffix);
    String bob = rota.createUser(admin, "bob-" + suffix);
    bind(ml, "user", mlAdmin, "admin");
    bind(vision, "group", "acme_" + suffix + "/ml", "owner");
    String token = rota.token(mlAdmin);
    String bobInMl = "/api/v1/groups/" + ml + "/members/" + bob;

    assertProblem(
        rota.send(rota.authorized(bobInMl, token).PUT(HttpRequest.BodyPublishers.noBody())),
        403,
        "forbidden");
    assertThat(RotaClient.jsonArray(rota.get(admin, "/api/v1/groups/" + ml + "/members")))
        .isEmpty();
    assertThat(
            rota.send(
                    rota.authorized(bobInMl, rota.token(alice))
                        .PUT(HttpRequest.BodyPublishers.noBody()))
                .statusCode())
        .as("an owner of the group may")
        .isEqualTo(204);
  }

  @Test
  void control_characters_in_a_name_are_400_and_change_nothing() {
    for (String bad : List.of("Evil\u0000", "tab\there", "line\nbreak")) {
      String body =
          Json.createObjectBuilder()
              .add("kind", "project")
              .add("parentId", ml)
              .add("name", bad)
              .build()
              .toString();
      assertProblem(rota.post(admin, "/api/v1/nodes", body), 400, "invalid-tenancy-request");
      String rename = Json.createObjectBuilder().add("name", bad).build().toString();
      assertProblem(
          rota.post(admin, "/api/v1/nodes/" + vision + "/rename", rename),
          400,
          "invalid-tenancy-request");
    }
    assertThat(RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + vision)).getString("name"))
        .isEqualTo("Vision");
  }

  @Test
  void a_cursor_the_server_did_not_hand_out_is_400_on_every_tree_list() {
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(("globex_" + suffix).getBytes(StandardCharsets.UTF_8));
    for (String cursor : List.of("ISEh", forged, forged + ".AAAAAAAAAAAAAAAAAAAAAA")) {
      String q = "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
      for (String path :
          List.of(
              "/api/v1/nodes/" + acme + "/children",
              "/api/v1/nodes/" + acme + "/descendants",
              "/api/v1/me/nodes",
              "/api/v1/users",
              "/api/v1/nodes/" + acme + "/audit")) {
        JsonObject problem = assertProblem(rota.get(admin, path + q), 400, "invalid-cursor");
        assertThat(problem.getString("title")).as(path).isEqualToIgnoringCase("invalid cursor");
      }
    }
    JsonObject first =
        RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + acme + "/descendants?limit=1"));
    assertThat(
            RotaClient.ok(
                    rota.get(
                        admin,
                        "/api/v1/nodes/"
                            + acme
                            + "/descendants?limit=1&cursor="
                            + first.getString("nextCursor")))
                .getJsonArray("items"))
        .hasSize(1);
  }

  private void deleteSubtree(long node) {
    HttpResponse<String> deleted =
        rota.send(rota.authorized("/api/v1/nodes/" + node + "?recursive=true", admin).DELETE());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
  }

  private long node(String kind, Long parent, String name) {
    var body = Json.createObjectBuilder().add("kind", kind).add("name", name);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return RotaClient.id(rota.post(admin, "/api/v1/nodes", body.build().toString()));
  }

  private void bind(long node, String kind, String party, String role) {
    rota.bind(admin, node, Json.createObjectBuilder().add(kind, party).add("role", role).build());
  }

  private static String grant(String kind, String party, String role) {
    return Json.createObjectBuilder().add(kind, party).add("role", role).build().toString();
  }

  private static String name(String name) {
    return Json.createObjectBuilder().add("name", name).build().toString();
  }

  /** Both responses are the same problem of that status, byte for byte apart from instance. */
  static void assertSameProblem(HttpResponse<String> one, HttpResponse<String> other, int status) {
    assertThat(one.statusCode()).as(one.body()).isEqualTo(status);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(status);
    assertThat(one.headers().firstValue("Content-Type"))
        .isEqualTo(other.headers().firstValue("Content-Type"));
    String instance = RotaClient.json(one).getString("instance");
    String otherInstance = RotaClient.json(other).getString("instance");
    assertThat(one.body().replace(instance, "I"))
        .isEqualTo(other.body().replace(otherInstance, "I"));
  }
}
