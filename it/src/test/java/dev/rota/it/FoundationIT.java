package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.rota.platform.internal.security.DevelopmentKeys;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shipped WAR on Liberty: probes, contract, identity and token checks, over HTTP. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FoundationIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();

  @Test
  void readiness_is_up_with_a_migrated_database_and_a_simulated_cluster() {
    HttpResponse<String> ready = rota.get("/health/ready");

    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    JsonObject body = RotaClient.json(ready);
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(ready.body())
        .contains("\"database\"")
        .contains("\"schemaVersion\"")
        .contains("\"kubernetes\"")
        .contains("\"simulated\":true");
  }

  @Test
  void liveness_and_startup_probes_are_up() {
    assertThat(rota.get("/health/live").statusCode()).isEqualTo(200);
    assertThat(rota.get("/health/started").statusCode()).isEqualTo(200);
  }

  @Test
  void openapi_documents_the_api_its_security_and_the_problem_responses() {
    HttpResponse<String> openapi = rota.get("/openapi");

    assertThat(openapi.statusCode()).isEqualTo(200);
    assertThat(openapi.body())
        .contains("/api/v1/me")
        .contains("/api/v1/nodes/{id}/move", "/api/v1/nodes/{id}/audit", "/api/v1/me/nodes")
        .contains("/api/v1/volumes/{id}/manifests", "/api/v1/storage/pools/{pool}")
        .doesNotContain("ObjectMeta", "NodeSelectorTerm")
        .contains("bearerFormat: JWT")
        .contains("application/problem+json")
        .contains("Problem:");
    assertThat(rota.get("/openapi/ui/").statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_are_served_for_scraping() {
    HttpResponse<String> metrics = rota.get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("# TYPE");
  }

  @Test
  void me_returns_the_caller_named_in_the_token() {
    HttpResponse<String> me =
        rota.send(rota.authorized("/api/v1/me", rota.token("alice", "ml-team")));

    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    JsonObject caller = RotaClient.json(me);
    assertThat(caller.getString("name")).isEqualTo("alice");
    assertThat(caller.getJsonArray("groups").getString(0)).isEqualTo("ml-team");
    assertThat(caller.getBoolean("platformAdmin")).isFalse();
  }

  @Test
  void the_admin_group_and_the_bootstrap_administrator_are_platform_administrators() {
    JsonObject member =
        RotaClient.json(rota.send(rota.authorized("/api/v1/me", rota.token("bob", "rota-admin"))));
    JsonObject bootstrap =
        RotaClient.json(rota.send(rota.authorized("/api/v1/me", rota.token("admin"))));

    assertThat(member.getBoolean("platformAdmin")).isTrue();
    assertThat(bootstrap.getBoolean("platformAdmin")).isTrue();
  }

  @Test
  void no_token_is_401_problem() {
    assertProblem(rota.get("/api/v1/me"), 401, "unauthenticated");
  }

  @Test
  void an_expired_token_is_401_problem() {
    Instant longAgo = Instant.now().minus(Duration.ofHours(2));
    String expired =
        rota.sign(
            claims("alice", RotaClient.ISSUER)
                .issueTime(Date.from(longAgo))
                .expirationTime(Date.from(longAgo.plus(Duration.ofMinutes(30))))
                .build());

    assertProblem(rota.send(rota.authorized("/api/v1/me", expired)), 401, "unauthenticated");
  }

  @Test
  void an_unsigned_token_is_401_problem() {
    String unsigned = new PlainJWT(claims("alice", RotaClient.ISSUER).build()).serialize();

    assertProblem(rota.send(rota.authorized("/api/v1/me", unsigned)), 401, "unauthenticated");
  }

  @Test
  void a_token_signed_with_hmac_keyed_by_the_servers_public_key_is_401_problem() throws Exception {
    // RFC 8725 §2.1: a verifier that trusted the token's alg would check this HS256 signature
    // with the public key as the HMAC secret, and anyone could forge it.
    byte[] publicKey =
        Files.readAllBytes(
            new DevelopmentKeys(Path.of(System.getProperty("rota.it.data-dir", "target/rota-data")))
                .publicKeyFile());
    SignedJWT confused =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            claims("alice", RotaClient.ISSUER)
                .audience(System.getenv("ROTA_JWT_AUDIENCE"))
                .build());
    confused.sign(new MACSigner(publicKey));

    assertProblem(
        rota.send(rota.authorized("/api/v1/me", confused.serialize())), 401, "unauthenticated");
  }

  @Test
  void a_token_signed_by_a_foreign_key_is_401_problem() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    SignedJWT forged =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.RS256), claims("alice", RotaClient.ISSUER).build());
    forged.sign(new RSASSASigner((RSAPrivateKey) generator.generateKeyPair().getPrivate()));

    assertProblem(
        rota.send(rota.authorized("/api/v1/me", forged.serialize())), 401, "unauthenticated");
  }

  @Test
  void a_token_from_another_issuer_is_401_problem() {
    String foreign =
        rota.minter("https://someone-else.example").mint("alice", List.of(), Duration.ofMinutes(5));

    assertProblem(rota.send(rota.authorized("/api/v1/me", foreign)), 401, "unauthenticated");
  }

  @Test
  void a_token_without_the_configured_audience_is_401_problem() {
    String audience = System.getenv("ROTA_JWT_AUDIENCE");
    assertThat(audience).as("it/pom.xml sets ROTA_JWT_AUDIENCE").isNotBlank();
    String none = rota.sign(claims("alice", RotaClient.ISSUER).build());
    String wrong = rota.sign(claims("alice", RotaClient.ISSUER).audience("someone-else").build());
    String right = rota.sign(claims("alice", RotaClient.ISSUER).audience(audience).build());

    assertProblem(rota.send(rota.authorized("/api/v1/me", none)), 401, "unauthenticated");
    assertProblem(rota.send(rota.authorized("/api/v1/me", wrong)), 401, "unauthenticated");
    assertThat(rota.send(rota.authorized("/api/v1/me", right)).statusCode()).isEqualTo(200);
  }

  private static JWTClaimsSet.Builder claims(String user, String issuer) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(user)
        .claim("upn", user)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
  }
}
