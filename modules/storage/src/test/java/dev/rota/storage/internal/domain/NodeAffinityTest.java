package dev.rota.storage.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.storage.StorageException.InvalidVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing operator | {\"key\":\"a\",\"values\":[\"b\"]} | matchExpressions[0].operator is required",
        "In without values | {\"key\":\"a\",\"operator\":\"In\"} | .values must have at least one value when operator is In",
        "NotIn with empty values | {\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[]} | .values must have at least one value when operator is NotIn",
        "Exists with values | {\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"b\"]} | .values must be empty when operator is Exists",
        "DoesNotExist with values | {\"key\":\"a\",\"operator\":\"DoesNotExist\",\"values\":[\"b\"]} | .values must be empty when operator is DoesNotExist",
        "Gt with two values | {\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1\",\"2\"]} | .values must have exactly one value when operator is Gt",
        "Lt with no integer | {\"key\":\"a\",\"operator\":\"Lt\",\"values\":[\"ten\"]} | .values[0] must be an integer when operator is Lt",
        "unknown operator | {\"key\":\"a\",\"operator\":\"Near\",\"values\":[\"b\"]} | .operator must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt",
        "operator not a string | {\"key\":\"a\",\"operator\":7} | .operator must be a string, not a number",
        "key with spaces | {\"key\":\"a b\",\"operator\":\"Exists\"} | .key must be a qualified name",
        "key with two slashes | {\"key\":\"a/b/c\",\"operator\":\"Exists\"} | .key must be a qualified name",
        "key with an uppercase prefix | {\"key\":\"Example.com/x\",\"operator\":\"Exists\"} | .key must be a qualified name",
        "key name over 63 | {\"key\":\"x1234567890123456789012345678901234567890123456789012345678901234\",\"operator\":\"Exists\"} | .key must be a qualified name",
        "missing key | {\"operator\":\"Exists\"} | matchExpressions[0].key is required",
        "bad label value | {\"key\":\"a\",\"operator\":\"In\",\"values\":[\"-x\"]} | .values[0] must be a label value",
        "value not a string | {\"key\":\"a\",\"operator\":\"In\",\"values\":[1]} | .values[0] must be a string, not a number",
        "values not an array | {\"key\":\"a\",\"operator\":\"In\",\"values\":\"b\"} | .values must be an array, not a string",
        "unknown field | {\"key\":\"a\",\"operator\":\"Exists\",\"value\":\"b\"} | matchExpressions[0].value is not a field of this object",
      })
  void each_requirement_kubernetes_would_refuse_is_a_problem_naming_its_field(
      String name, String requirement, String problem) {
    String selector = "{\"nodeSelectorTerms\":[{\"matchExpressions\":[" + requirement + "]}]}";

    assertThatThrownBy(() -> NodeAffinity.parse(selector))
        .as(name)
        .isInstanceOf(InvalidVolume.class)
        .hasMessageContaining(
            "nodeAffinity.nodeSelectorTerms[0].matchExpressions[0]"
                + (problem.startsWith(".") ? problem : problem.substring(problem.indexOf(']') + 1)))
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining("@");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"pool-a\"", "42", "null", "true"})
  void a_selector_that_is_no_object_is_refused_saying_what_it_is(String json) {
    assertThatThrownBy(() -> NodeAffinity.parse(json))
        .isInstanceOf(InvalidVolume.class)
        .hasMessageContaining("nodeAffinity ")
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining("@");
  }

  @Test
  void wrongly_typed_terms_and_match_fields_are_refused_naming_the_field() {
    assertThatThrownBy(() -> NodeAffinity.parse("{\"nodeSelectorTerms\":{}}"))
        .hasMessageContaining("nodeAffinity.nodeSelectorTerms must be an array, not an object");
    assertThatThrownBy(() -> NodeAffinity.parse("{\"nodeSelectorTerms\":[\"x\"]}"))
        .hasMessageContaining("nodeAffinity.nodeSelectorTerms[0] must be an object, not a string");
    assertThatThrownBy(
            () ->
                NodeAffinity.parse(
                    "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"n\"]}]}]}"))
        .hasMessageContaining("nodeAffinity.nodeSelectorTerms[0].matchFields is not supported")
        .hasMessageContaining("nodeAffinity.nodeSelectorTerms[0].matchExpressions is required");
  }

  @Test
  void valid_keys_values_and_integer_bounds_are_accepted() {
    NodeAffinity affinity =
        NodeAffinity.parse(
            """
            {"nodeSelectorTerms":[{"matchExpressions":[
              {"key":"rota.dev/node-pool","operator":"In","values":["pool-a",""]},
              {"key":"gpus","operator":"Lt","values":["-5"]},
              {"key":"example.com/Feature_X.1","operator":"DoesNotExist"}]}]}
            """);

    assertThat(affinity.selector().getNodeSelectorTerms().get(0).getMatchExpressions()).hasSize(3);
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
