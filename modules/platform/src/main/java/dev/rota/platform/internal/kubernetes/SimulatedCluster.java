package dev.rota.platform.internal.kubernetes;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API for running Rota without a cluster: fabric8's mock API server in CRUD mode,
 * in-process on a loopback port, which stores and returns real resources. It starts with GPU nodes
 * labelled into node pools so that everything Rota does against a cluster has something to act on.
 * A {@link SimulatedKubelet} runs the Pods bound to those nodes: Running after {@link
 * #DEFAULT_POD_START_DELAY}, then Succeeded after the seconds in the first container's {@code
 * ROTA_SIMULATED_SECONDS}, else after the default run time ({@link #DEFAULT_POD_RUN_TIME}, 10 s,
 * unless given to {@link #start(int, int, List, Duration)}); Failed for the command {@code false}
 * and past {@code activeDeadlineSeconds} ({@code DeadlineExceeded}).
 */
public final class SimulatedCluster implements AutoCloseable {

  /** The label that names a node's pool, on simulated and (by convention) real nodes. */
  public static final String POOL_LABEL = "rota.dev/node-pool";

  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** How long a simulated Pod runs when its first container names no ROTA_SIMULATED_SECONDS. */
  public static final Duration DEFAULT_POD_RUN_TIME = Duration.ofSeconds(10);

  /** How long a bound Pod stays Pending before the simulated kubelet starts it. */
  public static final Duration DEFAULT_POD_START_DELAY = Duration.ofMillis(500);

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private SimulatedKubelet kubelet;

  private SimulatedCluster(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  /**
   * Starts the server and creates {@code nodes} nodes, spread round-robin over {@code pools}; Pods
   * run {@link #DEFAULT_POD_RUN_TIME} unless they say otherwise.
   */
  public static SimulatedCluster start(int nodes, int gpusPerNode, List<String> pools) {
    return start(nodes, gpusPerNode, pools, DEFAULT_POD_RUN_TIME);
  }

  /**
   * As {@link #start(int, int, List)}, Pods without ROTA_SIMULATED_SECONDS running {@code
   * podRunTime}.
   */
  public static SimulatedCluster start(
      int nodes, int gpusPerNode, List<String> pools, Duration podRunTime) {
    return start(nodes, gpusPerNode, pools, podRunTime, DEFAULT_POD_START_DELAY);
  }

  /**
   * As {@link #start(int, int, List, Duration)}, bound Pods starting after {@code podStartDelay}.
   */
  public static SimulatedCluster start(
      int nodes, int gpusPerNode, List<String> pools, Duration podRunTime, Duration podStartDelay) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    quietRequestLog();
    KubernetesClient client = server.createClient(new JdkHttpClientFactory());
    SimulatedCluster cluster = new SimulatedCluster(server, client);
    cluster.seed(nodes, gpusPerNode, pools);
    cluster.seedPriorityClasses();
    // Its own client, so that whoever uses client() may close or reconfigure theirs freely.
    cluster.kubelet =
        new SimulatedKubelet(
            server.createClient(new JdkHttpClientFactory()), podStartDelay, podRunTime);
    cluster.kubelet.start();
    return cluster;
  }

  /**
   * The mock server logs every request at INFO, and the kubelet asks five times a second. Unless
   * someone configured that logger (Liberty's server.xml does), only its warnings are kept.
   */
  private static void quietRequestLog() {
    Logger requests = Logger.getLogger(MockWebServer.class.getName());
    if (requests.getLevel() == null) {
      requests.setLevel(Level.WARNING);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The PriorityClasses a GPU cluster typically has; rota-normal is the global default. */
  private void seedPriorityClasses() {
    priorityClass("rota-low", 100, "PreemptLowerPriority", false);
    priorityClass("rota-normal", 1000, "PreemptLowerPriority", true);
    priorityClass("rota-high", 10000, "PreemptLowerPriority", false);
    priorityClass("rota-batch-never", 500, "Never", false);
  }

  private void priorityClass(String name, int value, String policy, boolean globalDefault) {
    client
        .scheduling()
        .v1()
        .priorityClasses()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withValue(value)
                .withPreemptionPolicy(policy)
                .withGlobalDefault(globalDefault)
                .withDescription("Seeded by Rota's simulated cluster")
                .build())
        .createOr(NonDeletingOperation::update); // a POST retried under load must not fail start
  }

  private void seed(int nodes, int gpusPerNode, List<String> pools) {
    for (int i = 0; i < nodes; i++) {
      String pool = pools.get(i % pools.size());
      Map<String, Quantity> capacity =
          Map.of(
              GPU_RESOURCE,
              new Quantity(String.valueOf(gpusPerNode)),
              "cpu",
              new Quantity("64"),
              "memory",
              new Quantity("512Gi"));
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(String.format("gpu-node-%02d", i + 1))
                  .addToLabels(POOL_LABEL, pool)
                  .addToLabels("kubernetes.io/hostname", String.format("gpu-node-%02d", i + 1))
                  .addToLabels("nvidia.com/gpu.present", "true")
                  .endMetadata()
                  .withNewStatus()
                  .withCapacity(capacity)
                  .withAllocatable(capacity)
                  .addNewCondition()
                  .withType("Ready")
                  .withStatus("True")
                  .endCondition()
                  .endStatus()
                  .build())
          // On a loaded machine a POST can time out after the server stored the node; fabric8
          // retries it, and a plain create would then fail the start with 409.
          .createOr(NonDeletingOperation::update);
    }
  }

  @Override
  public void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    client.close();
    server.destroy();
  }
}
