package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;

/** Asserts that a response is an RFC 9457 problem of the given status that leaks no internals. */
public final class ProblemAssert {

  private ProblemAssert() {}

  public static JsonObject assertProblem(HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(value -> assertThat(value).startsWith("application/problem+json"));
    JsonObject problem = RotaClient.json(response);
    assertThat(problem.getString("type")).isEqualTo("https://rota.dev/problems/" + type);
    assertThat(problem.getInt("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(problem.getString("instance")).matches("urn:uuid:[0-9a-f-]{36}");
    assertThat(response.body()).doesNotContain("\tat ", "Exception", "dev.rota.");
    return problem;
  }
}
