package dev.rota.queue.internal.application;

import dev.rota.platform.Installation;
import dev.rota.queue.internal.persistence.TaskPodsRepository.Placement;
import dev.rota.queue.internal.persistence.TaskPodsRepository.PodSource;
import dev.rota.tenancy.NamespaceName;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

/**
 * The Pod of one replica of one attempt: in the task's namespace, pinned to the node its replica
 * was placed on, with Rota's copy of the task's PriorityClass (same value, never preempts), its
 * GPUs as limits (and requests, which Kubernetes requires equal for an extended resource), its
 * volumes' claims mounted and {@code activeDeadlineSeconds} from maxRuntime. The name is derived
 * from task, attempt and replica, so a repeated dispatch creates nothing new.
 */
final class TaskPodManifests {

  static final String TASK_ID = ClusterObservations.TASK_LABEL;
  static final String ATTEMPT = "rota.dev/attempt";
  static final String REPLICA = "rota.dev/replica";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private TaskPodManifests() {}

  static String name(long taskId, int attempt, int replica) {
    return "rota-task-" + taskId + "-a" + attempt + "-r" + replica;
  }

  static String namespace(PodSource task) {
    return NamespaceName.of(task.nodeId());
  }

  static Pod pod(PodSource task, Placement placement, String installation) {
    JsonObject spec = parse(task.specJson());
    JsonObject container = spec.getJsonObject("container");
    ContainerBuilder main =
        new ContainerBuilder()
            .withName("task")
            .withImage(container.getString("image"))
            .withCommand(strings(container, "command"))
            .withArgs(strings(container, "args"))
            .addNewEnv()
            .withName("ROTA_TASK_ID")
            .withValue(String.valueOf(task.id()))
            .endEnv()
            .addNewEnv()
            .withName("ROTA_REPLICA")
            .withValue(String.valueOf(placement.replica()))
            .endEnv()
            .addNewEnv()
            .withName("ROTA_REPLICAS")
            .withValue(String.valueOf(task.placements().size()))
            .endEnv()
            .withNewResources()
            .addToLimits(ClusterObservations.GPU, new Quantity(String.valueOf(placement.gpus())))
            .addToRequests(ClusterObservations.GPU, new Quantity(String.valueOf(placement.gpus())))
            .endResources();
    JsonObject env = container.getJsonObject("env");
    if (env != null) {
      for (Map.Entry<String, JsonValue> variable : env.entrySet()) {
        main.addNewEnv()
            .withName(variable.getKey())
            .withValue(((JsonString) variable.getValue()).getString())
            .endEnv();
      }
    }
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name(task.id(), task.attempt(), placement.replica()))
            .withNamespace(namespace(task))
            .addToLabels(MANAGED_BY, "rota")
            .addToLabels(Installation.LABEL, installation)
            .addToLabels(TASK_ID, String.valueOf(task.id()))
            .addToLabels(ATTEMPT, String.valueOf(task.attempt()))
            .addToLabels(REPLICA, String.valueOf(placement.replica()))
            .endMetadata()
            .withNewSpec()
            .withNodeName(placement.nodeName())
            .withRestartPolicy("Never")
            .withPriorityClassName(PriorityClassReconciler.copyOf(task.priorityClass()))
            .withActiveDeadlineSeconds(task.maxRuntimeSeconds())
            .endSpec();
    if (spec.containsKey("volumes")) {
      for (JsonValue value : spec.getJsonArray("volumes")) {
        JsonObject volume = value.asJsonObject();
        String name = "vol-" + volume.getJsonNumber("volumeId").longValue();
        boolean readOnly = volume.getBoolean("readOnly", false);
        main.addNewVolumeMount()
            .withName(name)
            .withMountPath(volume.getString("mountPath"))
            .withReadOnly(readOnly)
            .endVolumeMount();
        pod.editSpec()
            .addNewVolume()
            .withName(name)
            .withNewPersistentVolumeClaim(volume.getString("claimName"), readOnly)
            .endVolume()
            .endSpec();
      }
    }
    return pod.editSpec().withContainers(main.build()).endSpec().build();
  }

  /** The spec as stored: {"container": {...}, "volumes": [...]}; older rows hold the container. */
  private static JsonObject parse(String json) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      JsonObject spec = reader.readObject();
      return spec.containsKey("container")
          ? spec
          : Json.createObjectBuilder().add("container", spec).build();
    }
  }

  private static List<String> strings(JsonObject container, String field) {
    return container.containsKey(field) && !container.isNull(field)
        ? container.getJsonArray(field).getValuesAs(JsonString::getString)
        : List.of();
  }
}
