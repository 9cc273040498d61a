package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The committed contract, {@code docs/openapi.yaml}, is the document the shipped WAR serves, so
 * that every API change shows in review. {@code -Drota.openapi.write=true} rewrites the file from
 * the served document instead of comparing.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenApiContractIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();

  @Test
  void the_served_openapi_document_is_the_committed_docs_openapi_yaml() throws IOException {
    HttpResponse<String> served =
        rota.send(rota.request("/openapi").header("Accept", "application/yaml"));
    assertThat(served.statusCode()).isEqualTo(200);
    String document = normalised(served.body());
    Path committed = Path.of(System.getProperty("rota.it.openapi-file", "../docs/openapi.yaml"));

    if (Boolean.getBoolean("rota.openapi.write")) {
      Files.writeString(committed, document, StandardCharsets.UTF_8);
      return;
    }
    assertThat(Files.exists(committed))
        .as("%s is missing; write it with -Drota.openapi.write=true", committed)
        .isTrue();
    assertThat(document)
        .as(
            "The served OpenAPI document differs from %s. If the API change is intended,"
                + " regenerate the file: ./mvnw -B -pl it -am verify -Dtest=none"
                + " -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=OpenApiContractIT"
                + " -Drota.openapi.write=true",
            committed)
        .isEqualTo(normalised(Files.readString(committed, StandardCharsets.UTF_8)));
  }

  /** Line endings and trailing blanks that editors and Git may change are not contract. */
  private static String normalised(String text) {
    String unix = text.replace("\r\n", "\n").replace('\r', '\n');
    return unix.lines().map(String::stripTrailing).reduce("", (a, b) -> a + b + "\n").strip()
        + "\n";
  }
}
