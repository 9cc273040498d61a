package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collections;
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
 * The Liberty Admin Center is served over HTTPS, on localhost only, behind the administrator login:
 * the console sends an anonymous visitor to its login page, and the management API it uses accepts
 * the password the test server was configured with and refuses the development default. (The test
 * server's certificate is Liberty's self-signed one, so this client trusts any certificate.)
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
  void the_management_api_takes_the_configured_password_and_refuses_the_development_default()
      throws Exception {
    String configured = System.getenv("ROTA_ADMIN_PASSWORD");
    assertThat(configured).as("it/pom.xml sets ROTA_ADMIN_PASSWORD").isNotBlank();
    assertThat(configured).isNotEqualTo("rota-dev-only");

    assertThat(management("admin", configured).statusCode()).isEqualTo(200);
    assertThat(management("admin", "rota-dev-only").statusCode()).isEqualTo(401);
    assertThat(management("admin", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void the_https_endpoint_of_the_admin_center_listens_on_localhost_only() throws Exception {
    InetAddress external = nonLoopbackAddress();
    assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
    int https = Integer.parseInt(System.getProperty("rota.it.https-port", "19443"));
    int http = Integer.parseInt(System.getProperty("rota.it.http-port", "19080"));

    assertThat(connects(external, http)).as("the API on " + external).isTrue();
    assertThat(connects(external, https)).as("the Admin Center on " + external).isFalse();
    assertThat(connects(InetAddress.getLoopbackAddress(), https)).isTrue();
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (java.io.IOException refused) {
      return false;
    }
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return address;
          }
        }
      }
    }
    return null;
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
