package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every {@code /api/v1} operation of the served OpenAPI document, called against a victim tenant's
 * real nodes, volume, calendar window and configuration by callers who have no business there: no
 * token at all, a stranger with no roles, a viewer of a sibling node, and the owner of another
 * tenant. Each must get 401, 403 or 404 as problem+json, no response may carry a database detail, a
 * Java class name or a stack frame, and the victim's world, read back as a platform administrator,
 * must be the same afterwards.
 *
 * <p>A new operation fails this test until it gets a plausible body or query here, or a line in
 * {@link #OPEN_TO_EVERY_USER}: the sweep covers what the server serves, not a list kept by hand.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthorizationSweepIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  /**
   * Operations any signed-in user may call, each with why: they answer within the caller's own
   * scope, so for these a 2xx is fine as long as it shows nothing of the victim (a refusal is too).
   */
  static final Map<String, String> OPEN_TO_EVERY_USER =
      Map.of(
          "GET /api/v1/me", "the caller's own identity from their token",
          "GET /api/v1/me/nodes", "the nodes the caller holds a role at, none of the victim's",
          "GET /api/v1/volumes", "the caller's own volumes and those of groups they belong to",
          "GET /api/v1/calendars",
              "pools' and cluster nodes' calendars are the platform's, not a tenant's; windows"
                  + " inside them are checked separately",
          "GET /api/v1/storage/pools",
              "pool roots are the platform's, read by anyone holding a role somewhere to choose"
                  + " a pool for a volume; strangers without any role are refused",
          "GET /api/v1/tasks", "the tasks of the nodes the caller sees, none of the victim's",
          "GET /api/v1/pools",
              "GPU pools, their nodes and queue depth are the platform's, read by anyone holding"
                  + " a role somewhere; strangers without any role are refused",
          "GET /api/v1/priority-classes", "the cluster's PriorityClasses, the same for everyone");

  /**
   * Reads that show a shared resource and must show the victim's part of it only redacted (a
   * reservation of a node one cannot see is "reserved", without owner or label): a 2xx is fine if
   * nothing of the victim is in it.
   */
  static final Map<String, String> REDACTED_READS =
      Map.of(
          "GET /api/v1/calendars/{id}", "a pool's calendar",
          "GET /api/v1/calendars/{id}/availability", "whether the pool is free or reserved",
          "GET /api/v1/calendars/{id}/occurrences", "when the pool is reserved, not by whom",
          "GET /api/v1/calendars/{id}/free-slots", "when the pool is free",
          "GET /api/v1/calendars/{calendarId}/windows", "the pool's windows, redacted",
          "GET /api/v1/calendars/{calendarId}/windows/{windowId}", "one window, redacted",
          "GET /api/v1/storage/cluster-nodes/{name}/volumes",
              "volumes pinned to a cluster node, only the caller's own",
          "GET /api/v1/pools/{pool}/queue",
              "a pool's queue: tasks of nodes the caller cannot see show place, priority and size");

  private static final Set<Integer> REFUSALS = Set.of(401, 403, 404);

  /** A view's Kubernetes sync state ({@code "sync":"pending"}, {@code "syncError":"..."}). */
  private static final String SYNC_STATE = "\"sync(Error)?\":(\"(?:[^\"\\\\]|\\\\.)*\"|null),?";

  private static final List<String> LEAKS =
      List.of("Failing row", "Key (", "java.", "javax.", "jakarta.", "Exception", "\tat ", "PSQL");

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String s = UUID.randomUUID().toString().substring(0, 8);

  // The victim: victim_<s> (owner vowner) > team (group, member vuser) > proj (project) > sub,
  // and team > sibling (project); a volume of team attached to proj, a reservation of proj on a
  // pool calendar, a configuration commit on proj.
  private long victim;
  private long team;
  private long proj;
  private long sub;
  private long sibling;
  private long volume;
  private long calendar;
  private long window;
  private long task;
  private String head;
  private String owner;
  private String member;

  @Test
  void no_caller_without_a_role_learns_or_changes_anything_of_another_tenant() {
    seedTheVictim();
    Map<String, String> attackers = attackers();
    String before = victimsWorld();
    List<Operation> operations = operations();
    assertThat(operations).hasSizeGreaterThan(40);

    SoftAssertions softly = new SoftAssertions();
    for (Operation operation : operations) {
      for (Map.Entry<String, String> attacker : attackers.entrySet()) {
        String who = attacker.getKey();
        HttpResponse<String> response = call(operation, who, attacker.getValue());
        String what =
            who + ": " + operation.method + " " + response.uri() + " -> " + response.body();
        softly.assertThat(response.body()).as(what).doesNotContain(LEAKS.toArray(String[]::new));
        if (who.equals("anonymous")) {
          softly.assertThat(response.statusCode()).as(what).isEqualTo(401);
        } else if ((OPEN_TO_EVERY_USER.containsKey(operation.key())
                || REDACTED_READS.containsKey(operation.key()))
            && response.statusCode() < 300) {
          softly.assertThat(victimMarkers(response.body())).as(what).isEmpty();
        } else {
          softly.assertThat(response.statusCode()).as(what).isIn(REFUSALS);
          softly
              .assertThat(response.headers().firstValue("Content-Type").orElse(""))
              .as(what)
              .startsWith("application/problem+json");
        }
      }
    }
    softly
        .assertThat(victimsWorld())
        .as("the victim's world, read as a platform admin")
        .isEqualTo(before);
    softly.assertAll();
  }

  /** One operation of the OpenAPI document: its method, path template and required queries. */
  record Operation(String method, String template, List<String> requiredQueries, boolean hasBody) {
    String key() {
      return method + " " + template;
    }
  }

  private List<Operation> operations() {
    HttpResponse<String> served =
        rota.send(rota.request("/openapi").header("Accept", "application/json"));
    assertThat(served.statusCode()).isEqualTo(200);
    JsonObject paths =
        Json.createReader(new StringReader(served.body())).readObject().getJsonObject("paths");
    List<Operation> operations = new ArrayList<>();
    for (String template : paths.keySet()) {
      if (!template.startsWith("/api/v1/")) {
        continue;
      }
      JsonObject item = paths.getJsonObject(template);
      for (String method : List.of("get", "put", "post", "delete", "patch")) {
        if (!item.containsKey(method)) {
          continue;
        }
        JsonObject op = item.getJsonObject(method);
        List<String> queries = new ArrayList<>();
        for (JsonValue p :
            op.getOrDefault("parameters", JsonValue.EMPTY_JSON_ARRAY).asJsonArray()) {
          JsonObject parameter = p.asJsonObject();
          if (parameter.getString("in", "").equals("query")
              && parameter.getBoolean("required", false)) {
            queries.add(parameter.getString("name"));
          }
        }
        operations.add(
            new Operation(method.toUpperCase(), template, queries, op.containsKey("requestBody")));
      }
    }
    return operations;
  }

  private HttpResponse<String> call(Operation operation, String who, String token) {
    String path = substitute(operation, who);
    String query = query(operation);
    HttpRequest.Builder request = rota.request(path + query);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    String body = operation.hasBody ? body(operation, who) : null;
    return rota.send(
        request
            .header("Content-Type", "application/json")
            .method(
                operation.method,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)));
  }

  /** The victim's real ids, names and paths in place of the path parameters. */
  private String substitute(Operation operation, String who) {
    String t = operation.template;
    Map<String, String> values = new LinkedHashMap<>();
    values.put("{path}", t.contains("/by-path/") ? "victim_" + s + "/team/proj" : "settings");
    values.put("{id}", t.startsWith("/api/v1/groups/") ? String.valueOf(team) : null);
    if (t.startsWith("/api/v1/volumes/")) {
      values.put("{id}", String.valueOf(volume));
    } else if (t.startsWith("/api/v1/calendars/")) {
      values.put("{id}", String.valueOf(calendar));
    } else if (t.startsWith("/api/v1/tasks/")) {
      values.put("{id}", String.valueOf(task));
    } else if (values.get("{id}") == null) {
      values.put("{id}", String.valueOf(proj));
    }
    values.put("{nodeId}", String.valueOf(proj));
    values.put("{calendarId}", String.valueOf(calendar));
    values.put("{windowId}", String.valueOf(window));
    values.put("{pool}", "pool-a");
    values.put(
        "{name}",
        t.startsWith("/api/v1/users/") ? owner : t.contains("/refs/") ? "release" : "gpu-node-01");
    values.put("{user}", operation.method.equals("PUT") ? who + "-" + s : member);
    values.put("{ref}", "main");
    values.put("{hash}", head);
    String path = t;
    for (Map.Entry<String, String> value : values.entrySet()) {
      path = path.replace(value.getKey(), value.getValue());
    }
    Matcher left = Pattern.compile("\\{[^}]+}").matcher(path);
    assertThat(left.find()).as("a path parameter the sweep does not know: " + path).isFalse();
    return path;
  }

  private String query(Operation operation) {
    Map<String, String> values = new LinkedHashMap<>();
    if (operation.key().equals("DELETE /api/v1/nodes/{id}/members")) {
      values.put("user", owner);
    }
    if (operation.key().equals("DELETE /api/v1/nodes/{id}")) {
      values.put("recursive", "true");
    }
    for (String name : operation.requiredQueries) {
      values.put(
          name,
          switch (name) {
            case "from" ->
                operation.template.contains("/config/") ? "main" : "2027-03-01T00:00:00Z";
            case "to" -> operation.template.contains("/config/") ? "main" : "2027-03-08T00:00:00Z";
            case "at" -> "2027-03-01T10:00:00Z";
            case "week" -> "2027-03-01";
            case "min" -> "PT1H";
            default ->
                throw new AssertionError(
                    "a required query parameter the sweep does not know: "
                        + operation.key()
                        + " "
                        + name);
          });
    }
    if (operation.template.contains("/free-slots")) {
      values.putIfAbsent("min", "PT1H");
    }
    if (operation.template.contains("/occurrences")) {
      values.putIfAbsent("from", "2027-03-01T00:00:00Z");
      values.putIfAbsent("to", "2027-03-08T00:00:00Z");
    }
    if (operation.template.endsWith("/config/diff")) {
      values.putIfAbsent("to", "main");
    }
    StringBuilder query = new StringBuilder();
    values.forEach(
        (k, v) ->
            query
                .append(query.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return query.toString();
  }

  /** A body that passes validation and aims at the victim. */
  private String body(Operation operation, String who) {
    String mine = who + "-" + s;
    return switch (operation.key()) {
      case "POST /api/v1/nodes" ->
          "{\"kind\":\"project\",\"parentId\":" + team + ",\"name\":\"Pwned\"}";
      case "POST /api/v1/nodes/{id}/rename" -> "{\"name\":\"Pwned\"}";
      case "POST /api/v1/nodes/{id}/move" -> "{\"parentId\":" + sibling + "}";
      case "PUT /api/v1/nodes/{id}/quota" -> "{\"guaranteedGpus\":0,\"gpuLimit\":1}";
      case "PUT /api/v1/nodes/{id}/members" -> "{\"user\":\"" + mine + "\",\"role\":\"owner\"}";
      case "POST /api/v1/users" -> "{\"name\":\"pwned-" + mine + "\"}";
      case "POST /api/v1/nodes/{id}/config/commits" ->
          "{\"branch\":\"main\",\"parent\":\""
              + head
              + "\",\"message\":\"pwned\",\"changes\":[{\"path\":\"settings\",\"document\":{\"x\":1}}]}";
      case "POST /api/v1/nodes/{id}/config/commits/{hash}/revert" ->
          "{\"branch\":\"main\",\"parent\":\"" + head + "\",\"message\":\"pwned\"}";
      case "POST /api/v1/nodes/{id}/config/refs" ->
          "{\"name\":\"pwned\",\"kind\":\"branch\",\"target\":\"main\"}";
      case "POST /api/v1/calendars" ->
          "{\"kind\":\"pool\",\"name\":\"pwned-" + mine + "\",\"timeZone\":\"UTC\"}";
      case "POST /api/v1/calendars/{calendarId}/windows" ->
          "{\"kind\":\"reservation\",\"ownerNodeId\":"
              + proj
              + ",\"label\":\"pwned\",\"from\":\"2028-01-01T00:00:00Z\",\"to\":\"2028-01-02T00:00:00Z\"}";
      case "PUT /api/v1/storage/pools/{pool}" -> "{\"root\":\"/pwned\"}";
      case "POST /api/v1/volumes" ->
          volumeBody(
              "pwned-" + who, "victim_" + s + "/team", "/data/victim-" + s + "/pwned-" + who);
      case "POST /api/v1/volumes/{id}/attachments" -> "{\"nodeId\":" + sibling + "}";
      case "PUT /api/v1/nodes/{id}/quota/pools/{pool}" -> "{\"guaranteedGpus\":0,\"gpuLimit\":0}";
      case "POST /api/v1/tasks", "POST /api/v1/tasks:simulate" -> taskBody();
      default ->
          throw new AssertionError(
              "no plausible body for " + operation.key() + "; add one to the sweep");
    };
  }

  /**
   * What of the victim a response shows that none of the attackers may see: names, paths, users,
   * labels, host paths, the ids of proj and sub. (The sibling's viewer sees the sibling's path and
   * parent id, and with them the labels and id of team and the root: those are not secrets.)
   */
  private List<String> victimMarkers(String body) {
    List<String> found = new ArrayList<>();
    for (String marker :
        List.of(
            "victim_" + s + "/team/proj",
            "Victim " + s,
            owner,
            member,
            "vsecret-" + s,
            "vvol-" + s,
            "/data/victim-" + s)) {
      if (body.contains(marker)) {
        found.add(marker);
      }
    }
    for (long id : List.of(proj, sub)) {
      Matcher m =
          Pattern.compile("\"(ownerNodeId|nodeId|parentId)\"\\s*:\\s*" + id + "\\b").matcher(body);
      if (m.find()) {
        found.add(m.group());
      }
    }
    return found;
  }

  private void seedTheVictim() {
    sendOk(admin, "PUT", "/api/v1/storage/pools/pool-a", "{\"root\":\"/data\"}");
    victim = node("group", null, "Victim " + s);
    team = node("group", victim, "Team");
    proj = node("project", team, "Proj");
    sub = node("subproject", proj, "Sub");
    sibling = node("project", team, "Sibling");
    owner = rota.createUser(admin, "vowner-" + s);
    member = rota.createUser(admin, "vuser-" + s);
    bind(victim, owner, "owner");
    bind(proj, member, "member");
    sendOk(admin, "PUT", "/api/v1/groups/" + team + "/members/" + member, null);
    volume =
        RotaClient.id(
            sendOk(
                admin,
                "POST",
                "/api/v1/volumes",
                volumeBody("vvol-" + s, "victim_" + s + "/team", "/data/victim-" + s + "/data")));
    sendOk(
        admin, "POST", "/api/v1/volumes/" + volume + "/attachments", "{\"nodeId\":" + proj + "}");
    calendar =
        RotaClient.id(
            sendOk(
                admin,
                "POST",
                "/api/v1/calendars",
                "{\"kind\":\"pool\",\"name\":\"sweep-" + s + "\",\"timeZone\":\"UTC\"}"));
    window =
        RotaClient.id(
            sendOk(
                admin,
                "POST",
                "/api/v1/calendars/" + calendar + "/windows",
                "{\"kind\":\"reservation\",\"ownerNodeId\":"
                    + proj
                    + ",\"label\":\"vsecret-"
                    + s
                    + "\",\"from\":\"2027-03-01T09:00:00Z\",\"to\":\"2027-03-01T12:00:00Z\"}"));
    String initial =
        RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + proj + "/config/refs/main"))
            .getString("commit");
    head =
        RotaClient.json(
                sendOk(
                    admin,
                    "POST",
                    "/api/v1/nodes/" + proj + "/config/commits",
                    "{\"branch\":\"main\",\"parent\":\""
                        + initial
                        + "\",\"message\":\"seed\",\"changes\":[{\"path\":\"settings\","
                        + "\"document\":{\"secret\":\"vsecret-"
                        + s
                        + "\"}}]}"))
            .getString("hash");
    sendOk(
        admin,
        "POST",
        "/api/v1/nodes/" + proj + "/config/refs",
        "{\"name\":\"release\",\"kind\":\"branch\",\"target\":\"main\"}");
    sendOk(admin, "PUT", "/api/v1/nodes/" + proj + "/quota/pools/pool-a", "{\"guaranteedGpus\":0}");
    task = RotaClient.id(sendOk(rota.token(member), "POST", "/api/v1/tasks", taskBody()));
  }

  private String taskBody() {
    return "{\"nodeId\":"
        + proj
        + ",\"pool\":\"pool-a\",\"replicas\":1,\"gpusPerReplica\":1,"
        + "\"container\":{\"image\":\"vsecret-"
        + s
        + "\"}}";
  }

  /** Token by caller: none, a stranger, a viewer of proj's sibling, another tenant's owner. */
  private Map<String, String> attackers() {
    String stranger = rota.createUser(admin, "stranger-" + s);
    String siblingViewer = rota.createUser(admin, "sibviewer-" + s);
    bind(sibling, siblingViewer, "viewer");
    long other = node("group", null, "Other " + s);
    node("project", other, "Mine");
    String otherOwner = rota.createUser(admin, "otherowner-" + s);
    bind(other, otherOwner, "owner");
    Map<String, String> attackers = new LinkedHashMap<>();
    attackers.put("anonymous", null);
    attackers.put("stranger", rota.token(stranger));
    attackers.put("sibviewer", rota.token(siblingViewer));
    attackers.put("otherowner", rota.token(otherOwner));
    return attackers;
  }

  /**
   * Everything of the victim's that an attack could change, as a platform administrator reads it.
   */
  private String victimsWorld() {
    List<String> reads = new ArrayList<>();
    reads.add("/api/v1/nodes/" + victim);
    reads.add("/api/v1/nodes/" + victim + "/descendants?limit=500");
    for (long node : List.of(victim, team, proj, sub, sibling)) {
      reads.add("/api/v1/nodes/" + node + "/members");
    }
    reads.add("/api/v1/groups/" + team + "/members");
    reads.add("/api/v1/nodes/" + victim + "/audit?limit=500");
    reads.add("/api/v1/volumes/" + volume);
    reads.add("/api/v1/calendars/" + calendar);
    reads.add("/api/v1/calendars/" + calendar + "/windows?limit=500");
    reads.add("/api/v1/calendars?limit=500");
    reads.add("/api/v1/nodes/" + proj + "/config/refs");
    reads.add("/api/v1/nodes/" + proj + "/config/commits?limit=500");
    reads.add("/api/v1/users?limit=500");
    reads.add("/api/v1/storage/pools");
    reads.add("/api/v1/nodes/" + proj + "/quota/pools");
    StringBuilder world = new StringBuilder();
    // The queue's timer may admit the victim's task meanwhile; what no attacker may do is cancel
    // it.
    JsonObject victimsTask = RotaClient.ok(rota.get(admin, "/api/v1/tasks/" + task));
    world
        .append("task ")
        .append(victimsTask.getString("submittedBy"))
        .append(" cancelled=")
        .append(victimsTask.getString("state").equals("cancelled"))
        .append('\n');
    for (String read : reads) {
      HttpResponse<String> response = rota.get(admin, read);
      world.append(read).append(" ").append(response.statusCode()).append('\n');
      // The controller loop's progress (sync: pending -> synced) is the cluster catching up, not
      // anything an attacker did; everything else must read back the same.
      world.append(response.body().replaceAll(SYNC_STATE, "")).append('\n');
    }
    return world.toString();
  }

  private static String volumeBody(String name, String group, String hostPath) {
    return Json.createObjectBuilder()
        .add("name", name)
        .add("ownerGroup", group)
        .add("pool", "pool-a")
        .add("hostPath", hostPath)
        .add("capacity", "10Gi")
        .add("accessMode", "ReadWriteOnce")
        .add(
            "nodeAffinity",
            Json.createReader(
                    new StringReader(
                        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"
                            + "\"kubernetes.io/hostname\",\"operator\":\"In\","
                            + "\"values\":[\"gpu-node-01\"]}]}]}"))
                .readObject())
        .build()
        .toString();
  }

  private long node(String kind, Long parent, String name) {
    var body = Json.createObjectBuilder().add("kind", kind).add("name", name);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return RotaClient.id(rota.post(admin, "/api/v1/nodes", body.build().toString()));
  }

  private void bind(long node, String user, String role) {
    rota.bind(admin, node, Json.createObjectBuilder().add("user", user).add("role", role).build());
  }

  private HttpResponse<String> sendOk(String token, String method, String path, String json) {
    HttpResponse<String> response = rota.send(token, method, path, json);
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isBetween(200, 299);
    return response;
  }
}
