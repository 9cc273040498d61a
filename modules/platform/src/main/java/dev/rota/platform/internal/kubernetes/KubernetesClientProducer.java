package dev.rota.platform.internal.kubernetes;

import dev.rota.platform.ClusterMode;
import dev.rota.platform.internal.config.PlatformConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The one Kubernetes client of the application: from a kubeconfig or the in-cluster service account
 * when configured, otherwise a {@link SimulatedCluster}. The mode is logged at start and reported
 * in the readiness data, so nobody mistakes a simulated cluster for a real one.
 */
@ApplicationScoped
public class KubernetesClientProducer {

  private static final Logger LOG = Logger.getLogger(KubernetesClientProducer.class.getName());

  @Inject PlatformConfig config;

  private ClusterMode mode;
  private KubernetesClient client;
  private SimulatedCluster simulated;

  @Produces
  @ApplicationScoped
  KubernetesClient kubernetesClient() {
    return connection();
  }

  /** How the client reaches its cluster. */
  public synchronized ClusterMode mode() {
    connection();
    return mode;
  }

  synchronized KubernetesClient connection() {
    if (client == null) {
      mode = chooseMode();
      client =
          switch (mode) {
            case SIMULATED -> startSimulated();
            case KUBECONFIG -> fromKubeconfig(Path.of(config.kubeconfig().orElseThrow()));
            case IN_CLUSTER -> build(new ConfigBuilder(Config.autoConfigure(null)));
          };
      LOG.info(() -> "Kubernetes: " + describe());
    }
    return client;
  }

  private String describe() {
    return mode == ClusterMode.SIMULATED
        ? "SIMULATED cluster (fabric8 mock API server, CRUD mode) at "
            + client.getMasterUrl()
            + " with "
            + config.simulatedNodes()
            + " nodes of "
            + config.simulatedGpusPerNode()
            + " GPUs, Pods running "
            + config.simulatedSeconds()
            + " s unless they set ROTA_SIMULATED_SECONDS; set ROTA_KUBERNETES_KUBECONFIG to drive a real cluster"
        : mode + " cluster at " + client.getMasterUrl();
  }

  private ClusterMode chooseMode() {
    String wanted = config.kubernetesMode().trim().toLowerCase();
    return switch (wanted) {
      case "simulated" -> ClusterMode.SIMULATED;
      case "kubeconfig" -> {
        if (config.kubeconfig().isEmpty()) {
          throw new IllegalStateException(
              "rota.kubernetes.mode=kubeconfig needs ROTA_KUBERNETES_KUBECONFIG, the path of a"
                  + " kubeconfig file");
        }
        yield ClusterMode.KUBECONFIG;
      }
      case "in-cluster" -> ClusterMode.IN_CLUSTER;
      case "auto" ->
          config.kubeconfig().isPresent()
              ? ClusterMode.KUBECONFIG
              : System.getenv("KUBERNETES_SERVICE_HOST") != null
                  ? ClusterMode.IN_CLUSTER
                  : ClusterMode.SIMULATED;
      default ->
          throw new IllegalStateException(
              "rota.kubernetes.mode must be auto, kubeconfig, in-cluster or simulated, not '"
                  + wanted
                  + "'");
    };
  }

  private KubernetesClient startSimulated() {
    simulated =
        SimulatedCluster.start(
            config.simulatedNodes(),
            config.simulatedGpusPerNode(),
            config.simulatedPools(),
            Duration.ofSeconds(config.simulatedSeconds()));
    return simulated.client();
  }

  private KubernetesClient fromKubeconfig(Path file) {
    try {
      return build(new ConfigBuilder(Config.fromKubeconfig(Files.readString(file))));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the kubeconfig " + file, e);
    }
  }

  private KubernetesClient build(ConfigBuilder settings) {
    Config clientConfig =
        settings
            .withRequestTimeout(config.kubernetesRequestTimeoutMs())
            .withConnectionTimeout(config.kubernetesRequestTimeoutMs())
            // fabric8's own retry covers short blips only; the outbox's per-object backoff is the
            // durable retry (docs/decisions.md), so no worker sleeps long inside one request.
            .withRequestRetryBackoffLimit(2)
            .withRequestRetryBackoffInterval(200)
            .build();
    return new KubernetesClientBuilder()
        .withConfig(clientConfig)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  @PreDestroy
  synchronized void close() {
    if (simulated != null) {
      simulated.close();
    } else if (client != null) {
      client.close();
    }
  }
}
