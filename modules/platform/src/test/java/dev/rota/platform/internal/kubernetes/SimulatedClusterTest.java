package dev.rota.platform.internal.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {

  @Test
  void starts_with_gpu_nodes_spread_over_the_pools() {
    try (SimulatedCluster cluster = SimulatedCluster.start(4, 8, List.of("pool-a", "pool-b"))) {
      List<Node> nodes = cluster.client().nodes().list().getItems();

      assertThat(nodes).hasSize(4);
      assertThat(nodes)
          .allSatisfy(
              node ->
                  assertThat(node.getStatus().getAllocatable().get("nvidia.com/gpu").getAmount())
                      .isEqualTo("8"));
      assertThat(nodes)
          .extracting(node -> node.getMetadata().getLabels().get(SimulatedCluster.POOL_LABEL))
          .containsExactlyInAnyOrder("pool-a", "pool-b", "pool-a", "pool-b");
    }
  }

  @Test
  void stores_and_returns_what_is_created_like_a_real_api_server() {
    try (SimulatedCluster cluster = SimulatedCluster.start(1, 2, List.of("pool"))) {
      KubernetesClient client = cluster.client();
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("rota-p-1")
                  .addToLabels("rota.dev/node-id", "1")
                  .endMetadata()
                  .build())
          .create();

      Namespace stored = client.namespaces().withName("rota-p-1").get();

      assertThat(stored.getMetadata().getLabels()).containsEntry("rota.dev/node-id", "1");
      assertThat(client.namespaces().withLabel("rota.dev/node-id", "1").list().getItems())
          .hasSize(1);
    }
  }
}
