package dev.rota.queue.internal.application;

import dev.rota.queue.internal.persistence.CapacityRepository.ClusterNodeRow;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads what the queue mirrors from Kubernetes objects: a node's pool, allocatable GPUs and whether
 * it takes work; a PriorityClass's value and policy; the GPUs a Pod holds on its node.
 */
final class ClusterObservations {

  static final String POOL_LABEL = "rota.dev/node-pool";
  static final String GPU = "nvidia.com/gpu";

  /** Pods that Rota created carry this label; every other Pod's GPUs are foreign. */
  static final String TASK_LABEL = "rota.dev/task-id";

  private static final Set<String> FINISHED = Set.of("Succeeded", "Failed");

  private ClusterObservations() {}

  static ClusterNodeRow node(Node node, int foreignGpus) {
    Map<String, String> labels = node.getMetadata().getLabels();
    Map<String, Quantity> allocatable =
        node.getStatus() == null ? null : node.getStatus().getAllocatable();
    boolean ready =
        node.getStatus() != null
            && node.getStatus().getConditions() != null
            && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new ClusterNodeRow(
        node.getMetadata().getName(),
        labels == null ? null : labels.get(POOL_LABEL),
        gpus(allocatable == null ? null : allocatable.get(GPU)),
        ready,
        node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable()),
        foreignGpus);
  }

  static PriorityClassRow priorityClass(PriorityClass priorityClass) {
    return new PriorityClassRow(
        priorityClass.getMetadata().getName(),
        priorityClass.getValue() == null ? 0 : priorityClass.getValue(),
        Objects.requireNonNullElse(priorityClass.getPreemptionPolicy(), "PreemptLowerPriority"),
        Boolean.TRUE.equals(priorityClass.getGlobalDefault()));
  }

  /**
   * The GPUs a Pod that Rota did not create holds on its node: requests of its containers (for an
   * extended resource, requests equal limits), 0 for Rota's own Pods and finished or unbound ones.
   */
  static int foreignGpus(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels != null && labels.containsKey(TASK_LABEL)) {
      return 0;
    }
    if (pod.getSpec() == null || pod.getSpec().getNodeName() == null) {
      return 0;
    }
    if (pod.getStatus() != null && FINISHED.contains(pod.getStatus().getPhase())) {
      return 0;
    }
    return pod.getSpec().getContainers().stream().mapToInt(ClusterObservations::gpus).sum();
  }

  private static int gpus(Container container) {
    if (container.getResources() == null) {
      return 0;
    }
    Map<String, Quantity> requests = container.getResources().getRequests();
    Map<String, Quantity> limits = container.getResources().getLimits();
    Quantity asked = requests != null && requests.containsKey(GPU) ? requests.get(GPU) : null;
    if (asked == null && limits != null) {
      asked = limits.get(GPU);
    }
    return gpus(asked);
  }

  private static int gpus(Quantity quantity) {
    return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).intValue();
  }
}
