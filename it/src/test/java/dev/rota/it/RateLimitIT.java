package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-caller rate limit in the real server: one user's burst is refused with 429s while another
 * user is served as fast as before, unauthenticated calls are limited per address, and health
 * probes and metrics are never limited.
 *
 * <p>The WAR is deployed with low limits of its own: a config source of ordinal 500 beats the it
 * module's environment variables (ordinal 300), which keep the limits out of the other tests' way.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RateLimitIT {

  private static final int USER_BURST = 10;
  private static final int USER_PER_SECOND = 5;
  private static final int ANONYMOUS_BURST = 5;

  /** Threads sending as fast as they can as one user: far above its 5 requests a second. */
  private static final int FLOODERS = 3;

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota()
        .addAsResource(
            new StringAsset(
                String.join(
                    "\n",
                    "config_ordinal=500",
                    "rota.rate-limit.user.rate=" + USER_PER_SECOND + "/s",
                    "rota.rate-limit.user.burst=" + USER_BURST,
                    "rota.rate-limit.anonymous.rate=1/min",
                    "rota.rate-limit.anonymous.burst=" + ANONYMOUS_BURST,
                    "")),
            "META-INF/microprofile-config.properties");
  }

  private final RotaClient rota = new RotaClient();

  /**
   * One HTTP/1.1 connection pool per caller, as separate integrations would have. (Many streams of
   * several callers multiplexed on one h2c connection of the shared client hung Liberty's HTTP/2
   * writes in a first version of this test, whatever the status answered.)
   */
  private static HttpClient http11() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private HttpResponse<String> get(HttpClient http, String token, String path) {
    HttpRequest.Builder request = token == null ? rota.request(path) : rota.authorized(path, token);
    try {
      return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_burst_from_one_user_gets_429s_while_another_user_is_served_as_fast_as_before()
      throws Exception {
    String flooder = rota.token("rl-flooder");
    String bystander = rota.token("rl-bystander");
    HttpClient bystanders = http11();
    for (int i = 0; i < 3; i++) {
      get(bystanders, bystander, "/api/v1/me"); // warm up the connection and the code path
      Thread.sleep(250);
    }
    List<Long> before = paced(bystanders, bystander, 6);

    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    ConcurrentLinkedQueue<HttpResponse<String>> refused = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> unexpected = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(FLOODERS);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < FLOODERS; t++) {
      HttpClient own = http11();
      pool.submit(
          () -> {
            start.await();
            while (flooding.get()) {
              HttpResponse<String> r = get(own, flooder, "/api/v1/me");
              switch (r.statusCode()) {
                case 200 -> served.incrementAndGet();
                case 429 -> {
                  if (refused.size() < 50) {
                    refused.add(r);
                  }
                }
                default -> unexpected.add(r.statusCode());
              }
            }
            return null;
          });
    }
    long floodStart = System.nanoTime();
    List<Long> during;
    List<Integer> probes = new ArrayList<>();
    try {
      start.countDown();
      Thread.sleep(500);
      during = paced(bystanders, bystander, 6);
      HttpClient prober = http11();
      for (String path : List.of("/health/live", "/health/ready", "/health/started", "/metrics")) {
        for (int i = 0; i < 5; i++) {
          probes.add(get(prober, null, path).statusCode());
        }
      }
    } finally {
      flooding.set(false);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    double floodSeconds = (System.nanoTime() - floodStart) / 1e9;

    assertThat(unexpected).isEmpty();
    assertThat(refused).isNotEmpty();
    // The bucket lets the burst and the sustained rate through, and nothing more.
    assertThat(served.get())
        .isBetween(USER_BURST, USER_BURST + (int) (USER_PER_SECOND * (floodSeconds + 1)));
    HttpResponse<String> tooMany = refused.peek();
    JsonObject problem = assertProblem(tooMany, 429, "rate-limited");
    assertThat(problem.getInt("retryAfterSeconds")).isEqualTo(1);
    assertThat(tooMany.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(tooMany.headers().firstValue("RateLimit-Policy")).hasValue("\"user\";q=10;w=2");
    assertThat(tooMany.headers().firstValue("RateLimit"))
        .hasValueSatisfying(v -> assertThat(v).matches("\"user\";r=0;t=[12]"));

    // The other user got every request through, with the headers, and no slower.
    assertThat(probes).as("health and metrics during the burst").containsOnly(200);
    long medianBefore = median(before);
    long medianDuring = median(during);
    System.out.printf(
        "RateLimitIT: flood %.1f s, %d served, bystander median %d ms before, %d ms during%n",
        floodSeconds, served.get(), medianBefore, medianDuring);
    // Generous: the flood's HTTP handling shares the 2 CPU cores with everything else, so some
    // slowdown is CPU, not queueing; a bystander queued behind the flood would wait seconds.
    assertThat(medianDuring).isLessThanOrEqualTo(4 * medianBefore + 300);
  }

  @Test
  void unauthenticated_calls_are_limited_per_address_and_probes_and_metrics_never() {
    HttpClient http = http11();
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int i = 0; i < ANONYMOUS_BURST + 3; i++) {
      answers.add(get(http, null, i % 2 == 0 ? "/api/v1/me" : "/no/such/page"));
    }

    assertThat(answers.subList(0, ANONYMOUS_BURST))
        .extracting(HttpResponse::statusCode)
        .allMatch(s -> s == 401 || s == 404);
    HttpResponse<String> refused = answers.get(answers.size() - 1);
    assertProblem(refused, 429, "rate-limited");
    assertThat(refused.headers().firstValue("RateLimit-Policy"))
        .hasValue("\"anonymous\";q=" + ANONYMOUS_BURST + ";w=300");
    assertThat(refused.headers().firstValue("Retry-After"))
        .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
    assertThat(answers.get(answers.size() - 2).statusCode()).isEqualTo(429);

    // The address has no request left, yet the probes and metrics answer, every time.
    for (String path :
        List.of("/health", "/health/live", "/health/ready", "/health/started", "/metrics")) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = get(http, null, path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("RateLimit")).as(path).isEmpty();
      }
    }
    // An authenticated user from the same address still has their own bucket.
    HttpResponse<String> user = get(http, rota.token("rl-after-anonymous"), "/api/v1/me");
    assertThat(user.statusCode()).isEqualTo(200);
    assertThat(user.headers().firstValue("RateLimit")).hasValue("\"user\";r=9;t=1");
  }

  @Test
  void the_contract_documents_the_429_and_the_rate_limit_headers_on_every_operation() {
    JsonObject document = RotaClient.json(get(http11(), null, "/openapi?format=JSON"));
    JsonObject paths = document.getJsonObject("paths");
    int operations = 0;
    for (String path : paths.keySet()) {
      for (var operation : paths.getJsonObject(path).entrySet()) {
        if (!List.of("get", "put", "post", "delete", "patch").contains(operation.getKey())) {
          continue;
        }
        operations++;
        JsonObject responses = operation.getValue().asJsonObject().getJsonObject("responses");
        JsonObject tooMany = responses.getJsonObject("429");
        assertThat(tooMany).as(operation.getKey() + " " + path).isNotNull();
        assertThat(tooMany.getJsonObject("headers").keySet())
            .contains("Retry-After", "RateLimit", "RateLimit-Policy");
        assertThat(tooMany.getJsonObject("content").keySet()).contains("application/problem+json");
      }
    }
    assertThat(operations).isGreaterThan(50);
    assertThat(document.getJsonObject("components").getJsonObject("headers").keySet())
        .contains("Retry-After", "RateLimit", "RateLimit-Policy");
  }

  /** Latencies of {@code n} requests sent 250 ms apart (4/s, under the user's 5/s). */
  private List<Long> paced(HttpClient http, String token, int n) throws InterruptedException {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = get(http, token, "/api/v1/me");
      millis.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"user\";q=10;w=2");
      assertThat(r.headers().firstValue("RateLimit"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("\"user\";r="));
      Thread.sleep(250);
    }
    return millis;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
