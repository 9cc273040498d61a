package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Liberty Admin Center is served over HTTPS behind the administrator login: the console sends
 * an anonymous visitor to its login page, and the management API it uses accepts the configured
 * administrator and refuses a wrong password. (The test server's certificate is Liberty's
 * self-signed one, so this client trusts any certificate.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminCenterIT {

  private static final String BASE =
      "https://localhost:" + System.getProperty("rota.it.https-port", "19443");

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  @Test
  void the_admin_center_asks_for_a_login_first() throws Exception {
    HttpResponse<String> page =
        client().send(get("/adminCenter/"), HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isIn(200, 302);
    assertThat(page.headers().firstValue("Location").orElse(page.body()))
        .containsIgnoringCase("login");
  }

  @Test
  void the_management_api_behind_the_console_takes_the_administrator_and_refuses_others()
      throws Exception {
    assertThat(management("admin", "rota-dev-only").statusCode()).isEqualTo(200);
    assertThat(management("admin", "wrong").statusCode()).isEqualTo(401);
  }

  /** The REST connector the Admin Center itself talks to, with HTTP basic credentials. */
  private static HttpResponse<String> management(String user, String password) throws Exception {
    String credentials =
        java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    return client()
        .send(
            HttpRequest.newBuilder(URI.create(BASE + "/IBMJMXConnectorREST/"))
                .header("Authorization", "Basic " + credentials)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(BASE + path)).GET().build();
  }

  private static HttpClient client() throws Exception {
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    TrustManager[] trustAll = {
      new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }
    };
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trustAll, new SecureRandom());
    return HttpClient.newBuilder()
        .sslContext(tls)
        .cookieHandler(new java.net.CookieManager())
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }
}
