package dev.rota.storage.internal.domain;

import dev.rota.storage.StorageException.InvalidVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A volume's required node affinity: a Kubernetes NodeSelector, read through fabric8's model so
 * that only what Kubernetes itself would accept is stored, and matched against nodes' labels the
 * way the scheduler matches it (terms ORed, expressions within a term ANDed).
 */
public record NodeAffinity(NodeSelector selector, String json) {

  private static final Set<String> OPERATORS =
      Set.of("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt");

  public static NodeAffinity parse(String json) {
    NodeSelector selector;
    try {
      selector = Serialization.unmarshal(json, NodeSelector.class);
    } catch (RuntimeException e) {
      throw new InvalidVolume("nodeAffinity is not a Kubernetes NodeSelector: " + e.getMessage());
    }
    if (selector == null
        || selector.getNodeSelectorTerms() == null
        || selector.getNodeSelectorTerms().isEmpty()) {
      throw new InvalidVolume("nodeAffinity needs at least one entry in nodeSelectorTerms.");
    }
    for (NodeSelectorTerm term : selector.getNodeSelectorTerms()) {
      if (term.getMatchExpressions().isEmpty()) {
        throw new InvalidVolume(
            "Each nodeSelectorTerm needs matchExpressions (matchFields are not supported).");
      }
      term.getMatchExpressions().forEach(NodeAffinity::validate);
    }
    return new NodeAffinity(selector, Serialization.asJson(selector));
  }

  private static void validate(NodeSelectorRequirement requirement) {
    if (requirement.getKey() == null || requirement.getKey().isBlank()) {
      throw new InvalidVolume("Every matchExpression needs a key.");
    }
    if (!OPERATORS.contains(requirement.getOperator())) {
      throw new InvalidVolume(
          "Operator '" + requirement.getOperator() + "' is not one of " + OPERATORS + ".");
    }
    boolean needsValues = Set.of("In", "NotIn", "Gt", "Lt").contains(requirement.getOperator());
    if (needsValues == requirement.getValues().isEmpty()) {
      throw new InvalidVolume(
          "Operator "
              + requirement.getOperator()
              + (needsValues ? " needs values." : " takes no values."));
    }
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
      case "Gt" -> value != null && compare(value, r.getValues().get(0)) > 0;
      case "Lt" -> value != null && compare(value, r.getValues().get(0)) < 0;
      default -> false;
    };
  }

  private static int compare(String label, String bound) {
    try {
      return Long.compare(Long.parseLong(label), Long.parseLong(bound));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
