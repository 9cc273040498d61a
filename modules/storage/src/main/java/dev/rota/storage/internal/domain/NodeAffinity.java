package dev.rota.storage.internal.domain;

import dev.rota.storage.StorageException.InvalidVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

/**
 * A volume's required node affinity: a Kubernetes NodeSelector, validated field by field as the
 * Kubernetes API server validates one (with strict field validation) before it is read into
 * fabric8's model, and matched against nodes' labels the way the scheduler matches it (terms ORed,
 * expressions within a term ANDed).
 */
public record NodeAffinity(NodeSelector selector, String json) {

  /** Reads and validates a selector; every problem is reported with the path of its field. */
  public static NodeAffinity parse(JsonValue value) {
    List<String> problems = NodeSelectorValidation.problems(value);
    if (!problems.isEmpty()) {
      throw new InvalidVolume(
          "nodeAffinity is not a valid Kubernetes NodeSelector: "
              + String.join("; ", problems)
              + ".");
    }
    NodeSelector selector = Serialization.unmarshal(value.toString(), NodeSelector.class);
    return new NodeAffinity(selector, Serialization.asJson(selector));
  }

  /** The same, from JSON text. */
  public static NodeAffinity parse(String json) {
    JsonValue value;
    try {
      value = Json.createReader(new StringReader(json)).readValue();
    } catch (JsonException e) {
      throw new InvalidVolume("nodeAffinity is not JSON: give a Kubernetes NodeSelector object.");
    }
    return parse(value);
  }

  /** The names of the nodes this selector admits. */
  public List<String> matching(List<Node> nodes) {
    return nodes.stream()
        .filter(node -> admits(node.getMetadata().getLabels()))
        .map(node -> node.getMetadata().getName())
        .sorted()
        .toList();
  }

  boolean admits(Map<String, String> labels) {
    Map<String, String> present = labels == null ? Map.of() : labels;
    return selector.getNodeSelectorTerms().stream()
        .anyMatch(term -> term.getMatchExpressions().stream().allMatch(r -> holds(r, present)));
  }

  private static boolean holds(NodeSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    return switch (r.getOperator()) {
      case "In" -> value != null && r.getValues().contains(value);
      case "NotIn" -> value == null || !r.getValues().contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" -> greater(value, r.getValues().get(0));
      case "Lt" -> greater(r.getValues().get(0), value);
      default -> false;
    };
  }

  /** Both integers and the first larger; a label that is no integer matches neither Gt nor Lt. */
  private static boolean greater(String a, String b) {
    try {
      return a != null && b != null && Long.parseLong(a) > Long.parseLong(b);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
