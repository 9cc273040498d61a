package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every class of failure answers RFC 9457 problem+json with a message a person can act on, and the
 * server keeps serving afterwards. The failures are provoked through test-only endpoints deployed
 * alongside the real WAR.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProblemDetailsIT {

  /** The test server's limit, set by the it module's pom (ROTA_HTTP_MAX_BODY_BYTES). */
  private static final int BODY_LIMIT = 65536;

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rotaWithProbes();
  }

  private final RotaClient rota = new RotaClient();
  private final String token = rota.token("alice");

  @AfterEach
  void server_keeps_serving() {
    assertThat(rota.send(rota.authorized("/api/v1/me", token)).statusCode()).isEqualTo(200);
  }

  @Test
  void unknown_path_outside_the_api_is_404_problem() {
    JsonObject problem = assertProblem(rota.get("/no/such/page"), 404, "not-found");
    assertThat(problem.getString("detail")).contains("/no/such/page");
  }

  @Test
  void unknown_path_inside_the_api_is_404_problem() {
    JsonObject problem =
        assertProblem(rota.send(rota.authorized("/api/v1/nothing-here", token)), 404, "not-found");
    assertThat(problem.getString("detail")).contains("/api/v1/nothing-here");
  }

  /**
   * A URI Liberty cannot decode ({@code %00}, {@code %0A}, {@code %zz}) is refused by its web
   * container before any application is chosen, so no Rota code can shape the answer (see
   * docs/decisions.md). What can be held: a 400, never a 500 or a page with internals, machine
   * readable for a JSON client, and the request never reaches the API.
   */
  @Test
  void an_undecodable_uri_is_a_400_without_internals_before_rota_sees_it() throws Exception {
    for (String path : List.of("/api/v1/nodes/%00", "/api/v1/me%00", "/%00", "/api/v1/nodes/%zz")) {
      String response = rawGet(path, "application/problem+json, application/json");

      assertThat(response).as(path).startsWith("HTTP/1.1 400 ");
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      assertThat(Json.createReader(new StringReader(body)).readObject().getString("error_message"))
          .as(path)
          .contains("improperly encoded characters");
      assertThat(response).doesNotContain("\tat ", "Exception", "dev.rota.", "<html");
    }
  }

  /** Sends the path exactly as given: java.net.http would refuse or re-encode it. */
  private static String rawGet(String path, String accept) throws Exception {
    URI base = URI.create(System.getProperty("rota.it.base-url", "http://localhost:19080"));
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAccept: "
                  + accept
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void wrong_method_is_405_problem_with_allow_header() {
    HttpResponse<String> response = rota.send(rota.authorized("/api/v1/me", token).DELETE());

    JsonObject problem = assertProblem(response, 405, "method-not-allowed");
    assertThat(response.headers().firstValue("Allow"))
        .hasValueSatisfying(v -> assertThat(v).contains("GET"));
    assertThat(problem.getString("detail")).contains("DELETE");
  }

  @Test
  void unsupported_media_type_is_415_problem() {
    HttpResponse<String> response =
        rota.send(
            rota.authorized("/api/v1/test-probes/echo", token)
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("name=x")));

    JsonObject problem = assertProblem(response, 415, "unsupported-media-type");
    assertThat(problem.getString("detail")).contains("text/plain").contains("application/json");
  }

  @Test
  void an_accept_header_nothing_can_answer_is_406_problem_without_internals() {
    HttpResponse<String> response =
        rota.send(rota.authorized("/api/v1/me", token).header("Accept", "text/csv"));

    JsonObject problem = assertProblem(response, 406, "not-acceptable");
    assertThat(problem.getString("detail")).contains("text/csv").contains("application/json");
    assertThat(response.body()).doesNotContain("RESTEASY");
  }

  @Test
  void malformed_json_is_400_problem_saying_where() {
    HttpResponse<String> response = postJson("{\n  \"name\": \"a\",\n  \"gpus\": }");

    JsonObject problem = assertProblem(response, 400, "malformed-body");
    assertThat(problem.getString("detail")).contains("line 3");
  }

  @Test
  void a_fraction_for_an_integer_field_is_400_problem_not_truncated() {
    JsonObject problem =
        assertProblem(postJson("{\"name\": \"a100\", \"gpus\": 7.5}"), 400, "malformed-body");
    assertThat(problem.getString("detail")).contains("gpus", "whole number");
  }

  @Test
  void a_number_beyond_the_integer_range_is_400_problem_not_wrapped() {
    JsonObject problem =
        assertProblem(
            postJson("{\"name\": \"a100\", \"gpus\": 4294967297}"), 400, "malformed-body");
    assertThat(problem.getString("detail")).contains("gpus", "range");
  }

  @Test
  void content_after_the_json_body_is_400_problem() {
    assertProblem(postJson("{\"name\": \"a100\", \"gpus\": 8}xyz"), 400, "malformed-body");
    JsonObject twoBodies =
        assertProblem(
            postJson("{\"name\": \"a\", \"gpus\": 8}{\"name\": \"b\", \"gpus\": 8}"),
            400,
            "malformed-body");
    assertThat(twoBodies.getString("detail")).contains("after its JSON value", "line 1, column");
  }

  @Test
  void invalid_utf8_in_the_body_is_400_problem() {
    byte[] body = "{\"name\": \"a?00\", \"gpus\": 8}".getBytes(StandardCharsets.US_ASCII);
    body[11] = (byte) 0xFF;
    HttpResponse<String> response =
        rota.send(
            rota.authorized("/api/v1/test-probes/echo", token)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body)));

    JsonObject problem = assertProblem(response, 400, "malformed-body");
    assertThat(problem.getString("detail")).contains("UTF-8", "byte 11");
  }

  @Test
  void invalid_fields_are_400_problem_listing_each_violation() {
    HttpResponse<String> response = postJson("{\"name\": \"\", \"gpus\": 9}");

    JsonObject problem = assertProblem(response, 400, "invalid-request");
    assertThat(problem.getJsonArray("violations").getValuesAs(JsonObject.class))
        .extracting(v -> v.getString("field"))
        .containsExactlyInAnyOrder("gpus", "name");
  }

  @Test
  void valid_body_is_accepted() {
    HttpResponse<String> response = postJson("{\"name\": \"a100\", \"gpus\": 8}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(RotaClient.json(response).getString("name")).isEqualTo("a100");
  }

  @Test
  void constraint_violation_is_409_problem_naming_the_constraint_and_not_the_refused_row() {
    HttpResponse<String> response =
        rota.send(
            rota.authorized("/api/v1/test-probes/duplicate", token).POST(BodyPublishers.noBody()));

    JsonObject problem = assertProblem(response, 409, "conflict");
    assertThat(problem.getString("constraint")).isEqualTo("it_probe_name_unique");
    assertThat(problem.getString("detail")).contains("same unique key");
    assertThat(response.body()).doesNotContain("Key (name)", "taken", "DETAIL", "sqlState");
  }

  @Test
  void body_over_the_limit_is_413_problem() {
    String big = "{\"name\": \"" + "x".repeat(BODY_LIMIT) + "\", \"gpus\": 1}";

    assertProblem(postJson(big), 413, "payload-too-large");
  }

  @Test
  void chunked_body_over_the_limit_is_413_problem() {
    byte[] big = ("{\"name\": \"" + "x".repeat(BODY_LIMIT) + "\", \"gpus\": 1}").getBytes();
    HttpResponse<String> response =
        rota.send(
            rota.authorized("/api/v1/test-probes/echo", token)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));

    assertProblem(response, 413, "payload-too-large");
  }

  @Test
  void a_database_out_of_reach_is_503_problem_with_retry_after() {
    HttpResponse<String> response =
        rota.send(rota.authorized("/api/v1/test-probes/unreachable-database", token));

    JsonObject problem = assertProblem(response, 503, "database-unavailable");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("10");
    assertThat(problem.getString("detail")).contains("Retry in 10 seconds");
    assertThat(response.body()).doesNotContain("127.0.0.1", "DSRA", "J2CA", "SQL");
  }

  @Test
  void unexpected_failure_is_500_problem_with_a_correlation_id_and_no_internals() {
    HttpResponse<String> response = rota.send(rota.authorized("/api/v1/test-probes/crash", token));

    assertProblem(response, 500, "internal-error");
    assertThat(response.body()).doesNotContain("internal detail", "IllegalStateException");
  }

  private HttpResponse<String> postJson(String body) {
    return rota.send(
        rota.authorized("/api/v1/test-probes/echo", token)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body)));
  }
}
