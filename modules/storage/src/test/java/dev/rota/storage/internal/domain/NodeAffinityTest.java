package dev.rota.storage.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.storage.StorageException.InvalidVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeAffinityTest {

  private final List<Node> nodes =
      List.of(
          node("gpu-node-01", Map.of("rota.dev/node-pool", "pool-a", "gpus", "8")),
          node("gpu-node-02", Map.of("rota.dev/node-pool", "pool-b", "gpus", "4")),
          node("cpu-node-01", Map.of()));

  @Test
  void terms_are_ored_and_expressions_anded_as_the_scheduler_does() {
    NodeAffinity affinity =
        NodeAffinity.parse(
            """
            {"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"rota.dev/node-pool","operator":"In","values":["pool-a"]},
                                   {"key":"gpus","operator":"Gt","values":["6"]}]},
              {"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["cpu-node-01"]}]}]}
            """);

    assertThat(affinity.matching(nodes)).containsExactly("cpu-node-01", "gpu-node-01");
  }

  @Test
  void exists_and_not_in_follow_kubernetes_semantics() {
    NodeAffinity affinity =
        NodeAffinity.parse(
            """
            {"nodeSelectorTerms":[{"matchExpressions":[
              {"key":"rota.dev/node-pool","operator":"Exists"},
              {"key":"rota.dev/node-pool","operator":"NotIn","values":["pool-a"]}]}]}
            """);

    assertThat(affinity.matching(nodes)).containsExactly("gpu-node-02");
  }

  @Test
  void what_kubernetes_would_refuse_is_refused() {
    assertThatThrownBy(() -> NodeAffinity.parse("{\"nodeSelectorTerms\":[]}"))
        .isInstanceOf(InvalidVolume.class);
    assertThatThrownBy(
            () ->
                NodeAffinity.parse(
                    "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Near\",\"values\":[\"b\"]}]}]}"))
        .isInstanceOf(InvalidVolume.class);
    assertThatThrownBy(
            () ->
                NodeAffinity.parse(
                    "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}]}"))
        .isInstanceOf(InvalidVolume.class);
    assertThatThrownBy(() -> NodeAffinity.parse("not json")).isInstanceOf(InvalidVolume.class);
  }

  private static Node node(String name, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(labels)
        .addToLabels("kubernetes.io/hostname", name)
        .endMetadata()
        .build();
  }
}
