package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's mirror of the cluster against the CRUD mock API server and the real database: nodes
 * with their pool, GPUs and state, PriorityClasses, and GPUs taken by Pods Rota did not create.
 */
class CapacitySyncIT {

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private SimulatedCluster cluster;
  private KubernetesClient kubernetes;
  private CapacitySync sync;

  @BeforeEach
  void start_a_cluster() {
    cluster = SimulatedCluster.start(3, 8, List.of("pool-a", "pool-b"));
    kubernetes = cluster.client();
    sync = new CapacitySync(transactions, kubernetes);
  }

  @AfterEach
  void clean_up() {
    transactions.write(
        "test",
        c ->
            c.createStatement()
                .executeUpdate("DELETE FROM queue.cluster_nodes WHERE name LIKE 'gpu-node-%'"));
    sync.close();
    cluster.close();
  }

  @Test
  void nodes_are_mirrored_with_pool_gpus_and_readiness() {
    int mirrored = sync.syncAll();

    assertThat(mirrored).isEqualTo(3);
    assertThat(
            rows(
                "SELECT name || ':' || pool || ':' || allocatable_gpus || ':' || ready || ':' || unschedulable"
                    + " FROM queue.cluster_nodes WHERE name LIKE 'gpu-node-%' ORDER BY name"))
        .containsExactly(
            "gpu-node-01:pool-a:8:true:false",
            "gpu-node-02:pool-b:8:true:false",
            "gpu-node-03:pool-a:8:true:false");
  }

  @Test
  void priority_classes_are_mirrored_with_value_policy_and_the_global_default() {
    sync.syncAll();

    assertThat(
            rows(
                "SELECT name || ':' || value || ':' || preemption_policy || ':' || global_default"
                    + " FROM queue.priority_classes ORDER BY value"))
        .containsExactly(
            "rota-low:100:PreemptLowerPriority:false",
            "rota-batch-never:500:Never:false",
            "rota-normal:1000:PreemptLowerPriority:true",
            "rota-high:10000:PreemptLowerPriority:false");
  }

  @Test
  void a_cordoned_node_and_gpus_of_pods_rota_did_not_create_are_seen() {
    kubernetes.nodes().withName("gpu-node-02").edit(node -> cordon(node));
    kubernetes
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("someone")
                .endMetadata()
                .build())
        .create();
    pod("foreign", Map.of(), "gpu-node-01", 3, "Running");
    pod("rotas-own", Map.of("rota.dev/task-id", "42"), "gpu-node-01", 2, "Running");
    pod("finished", Map.of(), "gpu-node-01", 4, "Succeeded");

    sync.syncAll();

    assertThat(
            rows(
                "SELECT name || ':' || foreign_gpus || ':' || unschedulable"
                    + " FROM queue.cluster_nodes WHERE name IN ('gpu-node-01', 'gpu-node-02') ORDER BY name"))
        .containsExactly("gpu-node-01:3:false", "gpu-node-02:0:true");
  }

  @Test
  void with_informers_running_a_foreign_pod_reaches_the_mirror_from_their_caches()
      throws InterruptedException {
    sync.watch();
    for (int i = 0; i < 100 && !sync.watching(); i++) {
      Thread.sleep(100);
    }
    assertThat(sync.watching()).as("the caches filled").isTrue();
    kubernetes
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("someone")
                .endMetadata()
                .build())
        .create();

    pod("late", Map.of(), "gpu-node-02", 2, "Running");

    String foreign = "";
    for (int i = 0; i < 100 && !foreign.equals("2"); i++) {
      sync.syncAll();
      foreign =
          rows("SELECT foreign_gpus::text FROM queue.cluster_nodes WHERE name = 'gpu-node-02'")
              .get(0);
      Thread.sleep(50);
    }
    assertThat(foreign).as("the watch delivered the Pod").isEqualTo("2");
  }

  @Test
  void a_node_the_cluster_no_longer_has_is_forgotten() {
    sync.syncAll();
    kubernetes.nodes().withName("gpu-node-03").delete();

    sync.syncAll();

    assertThat(
            rows("SELECT name FROM queue.cluster_nodes WHERE name LIKE 'gpu-node-%' ORDER BY name"))
        .containsExactly("gpu-node-01", "gpu-node-02");
  }

  private static Node cordon(Node node) {
    node.setSpec(
        new io.fabric8.kubernetes.api.model.NodeSpecBuilder().withUnschedulable(true).build());
    return node;
  }

  private void pod(String name, Map<String, String> labels, String node, int gpus, String phase) {
    kubernetes
        .pods()
        .inNamespace("someone")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("main")
                .withImage("busybox")
                .withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(gpus)))
                .endResources()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build())
        .create();
  }

  private List<String> rows(String sql) {
    return transactions.read(
        c -> {
          List<String> rows = new ArrayList<>();
          try (var result = c.createStatement().executeQuery(sql)) {
            while (result.next()) {
              rows.add(result.getString(1));
            }
          }
          return rows;
        });
  }
}
