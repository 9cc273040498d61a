package dev.rota.platform.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's CRUD mock API server with faults on demand: the next N requests answer a chosen status
 * (500, 409, ...) without touching the stored objects, as an API server that is down or overloaded
 * would. Every request and its answer is recorded, so a test can count creates. The client does not
 * retry by itself, so every fault reaches the code under test.
 */
public final class FlakyCluster implements AutoCloseable {

  /** One request the server answered. */
  public record Exchange(String method, String path, int status) {}

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final AtomicInteger faultsLeft = new AtomicInteger();
  private volatile int faultStatus = 500;
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public FlakyCluster() {
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            MockResponse response =
                faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? new MockResponse()
                        .setResponseCode(faultStatus)
                        .setBody(
                            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"injected fault\",\"code\":"
                                + faultStatus
                                + "}")
                    : crud.dispatch(request);
            exchanges.add(new Exchange(request.getMethod(), request.getPath(), response.code()));
            return response;
          }
        };
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(Config.empty())
                    .withMasterUrl(server.url("/"))
                    .withRequestRetryBackoffLimit(0)
                    .withRequestTimeout(5000)
                    .build())
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
  }

  public KubernetesClient client() {
    return client;
  }

  /** The next {@code requests} requests answer {@code status}. */
  public void fail(int requests, int status) {
    faultStatus = status;
    faultsLeft.set(requests);
  }

  public int faultsLeft() {
    return faultsLeft.get();
  }

  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
