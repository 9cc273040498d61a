package dev.rota.it;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.rota.platform.internal.security.DevelopmentKeys;
import dev.rota.platform.internal.security.TokenMinter;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

  public static JsonObject json(HttpResponse<String> response) {
    return Json.createReader(new StringReader(response.body())).readObject();
  }
}
