package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static dev.rota.it.RotaClient.id;
import static dev.rota.it.RotaClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.configvcs.internal.domain.CanonicalJson;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The configuration store over REST, with minted tokens: commits by compare-and-swap, exact round
 * trips in JSON and YAML, history, refs, roles and inheritance down the tenancy tree. Each test
 * works in a fresh top-level group.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConfigIT {

  private static final String YAML = "application/yaml";

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long group;
  private long project;

  @BeforeEach
  void a_group_with_a_project() {
    group =
        id(
            rota.post(
                admin, "/api/v1/nodes", "{\"kind\":\"group\",\"name\":\"Cfg " + suffix + "\"}"));
    project =
        id(
            rota.post(
                admin,
                "/api/v1/nodes",
                "{\"kind\":\"project\",\"parentId\":" + group + ",\"name\":\"Vision\"}"));
  }

  @Test
  void awkward_json_reads_back_as_its_canonical_json_and_round_trips_through_yaml()
      throws Exception {
    String awkward =
        "{\"z\": [1.50, -0.0, 1e400, 123456789012345678901234567890, 3.14159265358979323846264338327950288,"
            + " 1E-7, 9007199254740993], \"unicode\": \"Gr\\u00fc\\u00dfe \\ud83d\\ude80 \\u2028 \\u0001 \\\"\","
            + " \"empty\": {\"o\": {}, \"a\": []}, \"#\": \"#0\", \"deep\": [[[[{\"x\": [[[]]]}]]]]}";
    String canonical =
        "{\"#\":\"#0\",\"deep\":[[[[{\"x\":[[[]]]}]]]],\"empty\":{\"a\":[],\"o\":{}},"
            + "\"unicode\":\"Grüße \ud83d\ude80 \u2028 \\u0001 \\\"\",\"z\":[1.5,0,1e+400,"
            + "1.2345678901234567890123456789e+29,3.14159265358979323846264338327950288,1e-7,9007199254740993]}";

    commit(admin, group, "main", change("settings", "document", awkward), 201);
    HttpResponse<String> json = rota.get(admin, tree(group, "main/settings"));
    HttpResponse<String> yaml =
        rota.send(rota.authorized(tree(group, "main/settings"), admin).header("Accept", YAML));

    assertThat(json.body()).isEqualTo(canonical);
    assertThat(json.headers().firstValue("Config-Blob")).hasValue(sha256(json.body()));
    assertThat(yaml.headers().firstValue("Content-Type").orElse("")).startsWith(YAML);
    String yamlCommit =
        "branch: main\nparent: "
            + head(group, "main")
            + "\nmessage: from YAML\nchanges:\n"
            + "- path: copy\n  document:\n"
            + yaml.body().indent(4);
    assertThat(
            rota.send(
                    rota.authorized(commits(group), admin)
                        .header("Content-Type", YAML)
                        .POST(BodyPublishers.ofString(yamlCommit)))
                .statusCode())
        .isEqualTo(201);
    assertThat(rota.get(admin, tree(group, "main/copy")).body()).isEqualTo(canonical);
  }

  @Test
  void a_stale_parent_is_409_with_the_current_head_and_twenty_racers_leave_one_winner()
      throws Exception {
    String parent = head(group, "main");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Integer>> racers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String body =
          commitBody("main", parent, change("quotas", "document", "{\"gpus\": " + i + "}"));
      racers.add(
          pool.submit(
              () -> {
                start.await();
                return rota.post(admin, commits(group), body).statusCode();
              }));
    }
    start.countDown();
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> racer : racers) {
      statuses.add(racer.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    JsonObject stale =
        assertProblem(
            rota.post(
                admin,
                commits(group),
                commitBody("main", parent, change("quotas", "document", "{}"))),
            409,
            "stale-parent");
    assertThat(stale.getString("currentHead")).isEqualTo(head(group, "main")).isNotEqualTo(parent);
  }

  @Test
  void patches_log_diff_tags_branches_and_revert_work_over_rest() {
    commit(
        admin,
        group,
        "main",
        change("quotas", "document", "{\"gpus\": 4, \"cpus\": 32, \"pools\": [\"a\"]}"),
        201);
    JsonObject tagged =
        ok(rota.post(admin, refs(group), "{\"name\":\"v1\",\"kind\":\"tag\",\"target\":\"main\"}"));
    JsonObject merged =
        commit(
            admin,
            group,
            "main",
            change("quotas", "mergePatch", "{\"gpus\": 8, \"cpus\": null}"),
            201);
    commit(
        admin,
        group,
        "main",
        change("quotas", "jsonPatch", "[{\"op\":\"add\",\"path\":\"/pools/-\",\"value\":\"b\"}]"),
        201);

    assertThat(rota.get(admin, tree(group, "main/quotas")).body())
        .isEqualTo("{\"gpus\":8,\"pools\":[\"a\",\"b\"]}");
    assertThat(rota.get(admin, tree(group, "v1/quotas")).body())
        .isEqualTo("{\"cpus\":32,\"gpus\":4,\"pools\":[\"a\"]}");
    JsonObject page = ok(rota.get(admin, commits(group) + "?path=quotas&limit=2"));
    assertThat(page.getJsonArray("items")).hasSize(2);
    JsonObject rest =
        ok(
            rota.get(
                admin,
                commits(group) + "?path=quotas&limit=2&cursor=" + page.getString("nextCursor")));
    assertThat(rest.getJsonArray("items")).hasSize(1);
    JsonObject diff =
        ok(
            rota.get(
                admin,
                "/api/v1/nodes/" + group + "/config/diff?from=v1&to=" + merged.getString("hash")));
    assertThat(diff.getJsonArray("changes").getJsonObject(0).getJsonArray("patch").toString())
        .isEqualTo(
            "[{\"op\":\"remove\",\"path\":\"/cpus\"},{\"op\":\"replace\",\"path\":\"/gpus\",\"value\":8}]");
    ok(
        rota.post(
            admin,
            commits(group) + "/" + merged.getString("hash") + "/revert",
            "{\"branch\":\"main\",\"parent\":\"" + head(group, "main") + "\"}"));
    assertThat(rota.get(admin, tree(group, "main/quotas")).body())
        .isEqualTo("{\"cpus\":32,\"gpus\":4,\"pools\":[\"a\",\"b\"]}");
    ok(
        rota.post(
            admin,
            refs(group),
            "{\"name\":\"staging\",\"kind\":\"branch\",\"target\":\""
                + tagged.getString("commit")
                + "\"}"));
    assertThat(ok(rota.get(admin, refs(group))).getJsonArray("items").getValuesAs(JsonObject.class))
        .extracting(r -> r.getString("name"))
        .containsExactly("main", "staging", "v1");
    assertThat(rota.send(rota.authorized(refs(group) + "/staging", admin).DELETE()).statusCode())
        .isEqualTo(204);
    assertProblem(
        rota.send(rota.authorized(refs(group) + "/main", admin).DELETE()), 409, "ref-refused");
    assertProblem(
        rota.post(admin, refs(group), "{\"name\":\"v1\",\"kind\":\"tag\",\"target\":\"main\"}"),
        409,
        "conflict");
  }

  @Test
  void viewers_read_members_commit_to_branches_and_admins_to_main_and_refs() {
    String viewer = rota.createUser(admin, "viewer-" + suffix);
    String member = rota.createUser(admin, "member-" + suffix);
    String stranger = rota.createUser(admin, "stranger-" + suffix);
    rota.bind(
        admin, group, Json.createObjectBuilder().add("user", viewer).add("role", "viewer").build());
    rota.bind(
        admin, group, Json.createObjectBuilder().add("user", member).add("role", "member").build());
    ok(
        rota.post(
            admin, refs(group), "{\"name\":\"draft\",\"kind\":\"branch\",\"target\":\"main\"}"));

    assertThat(rota.get(rota.token(viewer), tree(group, "main")).statusCode()).isEqualTo(200);
    assertProblem(
        attempt(rota.token(viewer), group, "draft", change("a", "document", "1")),
        403,
        "forbidden");
    JsonObject draft =
        commit(rota.token(member), group, "draft", change("a", "document", "1"), 201);
    assertThat(draft.getString("author")).isEqualTo(member);
    assertThat(draft.getJsonNumber("authorPartyId")).isNotNull();
    assertProblem(
        attempt(rota.token(member), group, "main", change("a", "document", "1")), 403, "forbidden");
    assertProblem(
        rota.post(
            rota.token(member),
            refs(group),
            "{\"name\":\"x\",\"kind\":\"branch\",\"target\":\"main\"}"),
        403,
        "forbidden");
    assertProblem(rota.get(rota.token(stranger), tree(group, "main")), 404, "node-not-found");
    // main's protection is answered only to those who may manage refs: nobody else learns the node.
    assertProblem(
        rota.send(rota.token(stranger), "DELETE", refs(group) + "/main", null),
        404,
        "node-not-found");
    assertProblem(
        rota.send(rota.token(member), "DELETE", refs(group) + "/main", null), 403, "forbidden");
  }

  @Test
  void the_effective_configuration_merges_down_the_tree_naming_the_node_of_every_leaf() {
    commit(
        admin,
        group,
        "main",
        change("quotas", "document", "{\"gpus\": {\"limit\": 8, \"default\": 1}, \"debug\": true}"),
        201);
    commit(
        admin,
        project,
        "main",
        change("quotas", "document", "{\"gpus\": {\"limit\": 2}, \"debug\": null}"),
        201);

    JsonObject effective = ok(rota.get(admin, "/api/v1/nodes/" + project + "/config/effective"));
    HttpResponse<String> yaml =
        rota.send(
            rota.authorized("/api/v1/nodes/" + project + "/config/effective", admin)
                .header("Accept", YAML));

    assertThat(effective.getJsonObject("documents").getJsonObject("quotas").toString())
        .isEqualTo("{\"gpus\":{\"default\":1,\"limit\":2}}");
    JsonObject origins = effective.getJsonObject("origins").getJsonObject("quotas");
    assertThat(origins.getJsonNumber("/gpus/limit").longValue()).isEqualTo(project);
    assertThat(origins.getJsonNumber("/gpus/default").longValue()).isEqualTo(group);
    assertThat(effective.getJsonArray("layers")).hasSize(2);
    assertThat(yaml.statusCode()).isEqualTo(200);
    assertThat(yaml.body()).contains("origins:", "/gpus/limit");
  }

  @Test
  void malformed_json_and_yaml_unknown_refs_and_bad_paths_are_4xx_problems() {
    String head = head(group, "main");
    assertProblem(
        rota.post(admin, commits(group), "{\"branch\": \"main\", "), 400, "malformed-body");
    assertProblem(
        rota.send(
            rota.authorized(commits(group), admin)
                .header("Content-Type", YAML)
                .POST(BodyPublishers.ofString("branch: [main\n"))),
        400,
        "invalid-document");
    assertProblem(
        rota.send(
            rota.authorized(commits(group), admin)
                .header("Content-Type", YAML)
                .POST(BodyPublishers.ofString("a: &x 1\nb: *x\n"))),
        400,
        "invalid-document");
    assertProblem(
        attempt(admin, group, "main", change("../etc", "document", "1")), 400, "invalid-reference");
    assertProblem(
        attempt(admin, group, "main", change("nul", "document", "\"a\\u0000b\"")),
        400,
        "invalid-document");
    assertProblem(
        attempt(admin, group, "main", "{\"path\":\"x\",\"document\":1,\"delete\":true}"),
        400,
        "invalid-change");
    assertProblem(
        attempt(
            admin,
            group,
            "main",
            change("x", "jsonPatch", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]")),
        422,
        "patch-failed");
    assertProblem(
        rota.post(
            admin, commits(group), commitBody("main", "not-a-hash", change("x", "document", "1"))),
        400,
        "invalid-request");
    assertProblem(rota.get(admin, tree(group, "nope/quotas")), 404, "ref-not-found");
    assertProblem(rota.get(admin, tree(group, "0".repeat(64))), 404, "commit-not-found");
    assertProblem(rota.get(admin, tree(group, "bad..ref")), 400, "invalid-reference");
    assertProblem(rota.get(admin, tree(group, "main/a%20b")), 400, "invalid-reference");
    assertProblem(rota.get(admin, tree(group, "main/missing")), 404, "path-not-found");
    assertProblem(rota.get(admin, commits(group) + "?cursor=!!"), 400, "invalid-cursor");
    assertProblem(
        rota.get(admin, "/api/v1/nodes/987654321/config/tree/main"), 404, "node-not-found");
    assertThat(head(group, "main")).isEqualTo(head);
  }

  @Test
  void a_megabyte_built_from_patches_under_the_body_limit_reads_back_exactly() throws Exception {
    JsonObjectBuilder whole = Json.createObjectBuilder();
    for (int batch = 0; batch < 25; batch++) {
      JsonObjectBuilder teams = Json.createObjectBuilder();
      for (int t = 0; t < 88; t++) {
        String name = "team-" + (batch * 88 + t);
        JsonArrayBuilder members = Json.createArrayBuilder();
        for (int m = 0; m < 4; m++) {
          members.add("user-" + (batch * 7919 + t * 31 + m));
        }
        JsonObject team =
            Json.createObjectBuilder()
                .add(
                    "quota",
                    Json.createObjectBuilder().add("gpus", t % 64).add("memoryGi", 64 * (t % 16)))
                .add("image", "registry.example.com/ml/" + name + ":2026." + (t % 12))
                .add(
                    "env",
                    Json.createObjectBuilder()
                        .add("HF_HOME", "/data/" + name + "/hf")
                        .add("NCCL_DEBUG", "WARN"))
                .add("members", members)
                .add("priority", (t % 1000) / 1000.0)
                .add("note", "\u00e9t\u00e9 \ud83d\ude80 " + name + " " + "x".repeat(150 + t))
                .build();
        teams.add(name, team);
        whole.add(name, team);
      }
      String patch = Json.createObjectBuilder().add("teams", teams).build().toString();
      commit(admin, group, "main", change("platform", "mergePatch", patch), 201);
    }
    String expected = CanonicalJson.write(Json.createObjectBuilder().add("teams", whole).build());

    HttpResponse<String> read = rota.get(admin, tree(group, "main/platform"));

    assertThat(expected.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(1_000_000);
    assertThat(read.body()).isEqualTo(expected);
    assertThat(read.headers().firstValue("Config-Blob")).hasValue(sha256(expected));
  }

  @Test
  void openapi_lists_every_configuration_operation() {
    assertThat(rota.get("/openapi").body())
        .contains(
            "/api/v1/nodes/{id}/config/commits",
            "/api/v1/nodes/{id}/config/commits/{hash}/revert",
            "/api/v1/nodes/{id}/config/refs/{name}",
            "/api/v1/nodes/{id}/config/tree/{ref}/{path}",
            "/api/v1/nodes/{id}/config/diff",
            "/api/v1/nodes/{id}/config/effective",
            "application/yaml",
            "CommitRequest",
            "currentHead");
  }

  private JsonObject commit(String token, long node, String branch, String change, int expected) {
    HttpResponse<String> response = attempt(token, node, branch, change);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
    return RotaClient.json(response);
  }

  /** A commit of one change onto the branch's current head. */
  @Test
  void a_json_patch_over_the_contracts_max_items_is_400_with_violations_and_commits_nothing() {
    int maxItems =
        rota.contract()
            .getJsonObject("components")
            .getJsonObject("schemas")
            .getJsonObject("ChangeRequest")
            .getJsonObject("properties")
            .getJsonObject("jsonPatch")
            .getInt("maxItems");
    ok(attempt(admin, group, "main", change("counters", "document", "{}")));
    String head = head(group, "main");
    String add = "{\"op\":\"add\",\"path\":\"/n\",\"value\":1}";

    JsonObject problem =
        assertProblem(
            attempt(
                admin, group, "main", change("counters", "jsonPatch", patch(add, maxItems + 1))),
            400,
            "invalid-request");

    assertThat(problem.getJsonArray("violations").toString()).contains("jsonPatch");
    assertThat(head(group, "main")).isEqualTo(head);
    assertThat(
            attempt(admin, group, "main", change("counters", "jsonPatch", patch(add, maxItems)))
                .statusCode())
        .isEqualTo(201);
  }

  private static String patch(String operation, int times) {
    return "[" + String.join(",", java.util.Collections.nCopies(times, operation)) + "]";
  }

  private HttpResponse<String> attempt(String token, long node, String branch, String change) {
    return rota.post(token, commits(node), commitBody(branch, head(node, branch), change));
  }

  private static String commitBody(String branch, String parent, String change) {
    return "{\"branch\":\""
        + branch
        + "\",\"parent\":\""
        + parent
        + "\",\"message\":\"test\",\"changes\":["
        + change
        + "]}";
  }

  private static String change(String path, String kind, String json) {
    return "{\"path\":\"" + path + "\",\"" + kind + "\":" + json + "}";
  }

  private String head(long node, String branch) {
    return ok(rota.get(admin, refs(node) + "/" + branch)).getString("commit");
  }

  private static String commits(long node) {
    return "/api/v1/nodes/" + node + "/config/commits";
  }

  private static String refs(long node) {
    return "/api/v1/nodes/" + node + "/config/refs";
  }

  private static String tree(long node, String rest) {
    return "/api/v1/nodes/" + node + "/config/tree/" + rest;
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
