package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.rota.platform.internal.security.DevelopmentKeys;
import dev.rota.platform.internal.security.TokenMinter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Calls the Rota server under test over HTTP, as an enterprise integration would, with tokens
 * signed by the development key the server created in its data directory.
 */
public final class RotaClient {

  public static final String ISSUER = "https://rota.local/dev";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String baseUrl = System.getProperty("rota.it.base-url", "http://localhost:19080");

  public TokenMinter minter() {
    return minter(ISSUER);
  }

  public TokenMinter minter(String issuer) {
    DevelopmentKeys keys =
        new DevelopmentKeys(Path.of(System.getProperty("rota.it.data-dir", "target/rota-data")));
    return new TokenMinter(keys.privateKey(), issuer);
  }

  public String token(String user, String... groups) {
    return minter().mint(user, List.of(groups), Duration.ofMinutes(10));
  }

  public String sign(JWTClaimsSet claims) {
    return minter().sign(claims);
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
  }

  public HttpRequest.Builder authorized(String path, String token) {
    return request(path).header("Authorization", "Bearer " + token);
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path) {
    return send(request(path).GET());
  }

  /** The served OpenAPI document, as JSON: tests read the bounds it states from here. */
  public JsonObject contract() {
    return ok(send(request("/openapi").header("Accept", "application/json")));
  }

  /** The schema of one parameter of one operation in {@link #contract()}. */
  public static JsonObject parameterSchema(
      JsonObject contract, String path, String method, String name) {
    return contract
        .getJsonObject("paths")
        .getJsonObject(path)
        .getJsonObject(method)
        .getJsonArray("parameters")
        .stream()
        .map(JsonValue::asJsonObject)
        .filter(p -> p.getString("name").equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(method + " " + path + " has no parameter " + name))
        .getJsonObject("schema");
  }

  public static JsonObject json(HttpResponse<String> response) {
    return Json.createReader(new StringReader(response.body())).readObject();
  }

  public static JsonArray jsonArray(HttpResponse<String> response) {
    return Json.createReader(new StringReader(response.body())).readArray();
  }

  /** Sends {@code json} (or no body) with the token. */
  public HttpResponse<String> send(String token, String method, String path, String json) {
    return send(
        authorized(path, token)
            .header("Content-Type", "application/json")
            .method(
                method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json)));
  }

  public HttpResponse<String> get(String token, String path) {
    return send(authorized(path, token));
  }

  public HttpResponse<String> post(String token, String path, String json) {
    return send(token, "POST", path, json);
  }

  public HttpResponse<String> put(String token, String path, String json) {
    return send(token, "PUT", path, json);
  }

  /** The body of a 200 or 201 response; fails the test, showing the body, on anything else. */
  public static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    return json(response);
  }

  public static long id(HttpResponse<String> response) {
    return ok(response).getJsonNumber("id").longValue();
  }

  /** Creates a user, as a platform administrator. */
  public String createUser(String adminToken, String name) {
    HttpResponse<String> created = post(adminToken, "/api/v1/users", "{\"name\":\"" + name + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return name;
  }

  /** Binds a role at a node: {@code {"user": ..., "role": ...}} or {@code {"group": ...}}. */
  public void bind(String adminToken, long node, JsonObject binding) {
    HttpResponse<String> response =
        put(adminToken, "/api/v1/nodes/" + node + "/members", binding.toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
  }

  /** A client of the server's simulated cluster, found through the readiness data. */
  public KubernetesClient simulatedCluster() {
    String url =
        json(get("/health/ready")).getJsonArray("checks").getValuesAs(JsonObject.class).stream()
            .filter(check -> check.getString("name").equals("kubernetes"))
            .findFirst()
            .orElseThrow()
            .getJsonObject("data")
            .getString("apiServer");
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url).build())
        .build();
  }

  /** A project of its own under a group of its own, and the token of a member of it. */
  public record ProjectMember(long project, String token) {}

  /** Creates a group, a project in it and a user who is a member of the project. */
  public ProjectMember projectWithMember(String adminToken, String label) {
    long group =
        id(post(adminToken, "/api/v1/nodes", "{\"kind\":\"group\",\"name\":\"" + label + "\"}"));
    long project =
        id(
            post(
                adminToken,
                "/api/v1/nodes",
                "{\"kind\":\"project\",\"name\":\"Work\",\"parentId\":" + group + "}"));
    String user = createUser(adminToken, "member-" + label.replaceAll("[^a-z0-9]", ""));
    bind(
        adminToken,
        project,
        Json.createObjectBuilder().add("user", user).add("role", "member").build());
    return new ProjectMember(project, token(user));
  }

  /** Polls the task until it is in {@code state}; fails after {@code within}. */
  public JsonObject awaitTaskState(String token, long id, String state, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject task;
    do {
      task = ok(get(token, "/api/v1/tasks/" + id));
      if (task.getString("state").equals(state)) {
        return task;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "task " + id + " never became " + state + " within " + within + ": " + task);
  }
}
