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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes API for running Rota without a cluster: fabric8's mock API server in CRUD mode,
 * in-process on a loopback port, which stores and returns real resources. It starts with GPU nodes
 * labelled into node pools so that everything Rota does against a cluster has something to act on.
 */
public final class SimulatedCluster implements AutoCloseable {

  /** The label that names a node's pool, on simulated and (by convention) real nodes. */
  public static final String POOL_LABEL = "rota.dev/node-pool";

  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private SimulatedCluster(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  /** Starts the server and creates {@code nodes} nodes, spread round-robin over {@code pools}. */
  public static SimulatedCluster start(int nodes, int gpusPerNode, List<String> pools) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = server.createClient(new JdkHttpClientFactory());
    SimulatedCluster cluster = new SimulatedCluster(server, client);
    cluster.seed(nodes, gpusPerNode, pools);
    cluster.seedPriorityClasses();
    return cluster;
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
    client.close();
    server.destroy();
  }
}
