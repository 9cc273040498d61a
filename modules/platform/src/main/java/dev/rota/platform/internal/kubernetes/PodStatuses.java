package dev.rota.platform.internal.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The Pod statuses the simulated kubelet writes, shaped as a real kubelet's. */
final class PodStatuses {

  /** A real kubelet kills a Pod past its deadline; its containers end as killed by SIGKILL. */
  private static final int KILLED = 137;

  private PodStatuses() {}

  static PodStatus running(Pod pod, Instant now) {
    String startTime = timestamp(now);
    ContainerState running =
        new ContainerStateBuilder().withNewRunning().withStartedAt(startTime).endRunning().build();
    return new PodStatusBuilder()
        .withPhase("Running")
        .withStartTime(startTime)
        .withConditions(conditions(now, "True", null))
        .withContainerStatuses(containerStatuses(pod, running, true))
        .build();
  }

  /** Succeeded with exit code 0, Failed (reason Error in the containers) with any other. */
  static PodStatus terminated(Pod pod, Instant now, int exitCode) {
    boolean succeeded = exitCode == 0;
    return new PodStatusBuilder()
        .withPhase(succeeded ? "Succeeded" : "Failed")
        .withStartTime(pod.getStatus().getStartTime())
        .withConditions(conditions(now, "False", "PodCompleted"))
        .withContainerStatuses(
            containerStatuses(
                pod, ended(pod, now, exitCode, succeeded ? "Completed" : "Error"), false))
        .build();
  }

  /** What a real kubelet reports for a Pod that outlived its activeDeadlineSeconds. */
  static PodStatus deadlineExceeded(Pod pod, Instant now) {
    return new PodStatusBuilder()
        .withPhase("Failed")
        .withReason("DeadlineExceeded")
        .withMessage("Pod was active on the node longer than the specified deadline")
        .withStartTime(pod.getStatus().getStartTime())
        .withConditions(conditions(now, "False", "PodFailed"))
        .withContainerStatuses(containerStatuses(pod, ended(pod, now, KILLED, "Error"), false))
        .build();
  }

  private static ContainerState ended(Pod pod, Instant now, int exitCode, String reason) {
    return new ContainerStateBuilder()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(reason)
        .withStartedAt(pod.getStatus().getStartTime())
        .withFinishedAt(timestamp(now))
        .endTerminated()
        .build();
  }

  private static List<ContainerStatus> containerStatuses(
      Pod pod, ContainerState state, boolean ready) {
    return pod.getSpec().getContainers().stream()
        .map(
            (Container container) ->
                new ContainerStatusBuilder()
                    .withName(container.getName())
                    .withImage(container.getImage())
                    .withReady(ready)
                    .withStarted(ready)
                    .withRestartCount(0)
                    .withState(state)
                    .build())
        .toList();
  }

  private static List<PodCondition> conditions(Instant now, String ready, String reason) {
    String at = timestamp(now);
    return List.of(
        condition("PodScheduled", "True", null, at),
        condition("Initialized", "True", null, at),
        condition("ContainersReady", ready, reason, at),
        condition("Ready", ready, reason, at));
  }

  private static PodCondition condition(String type, String status, String reason, String at) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withLastTransitionTime(at)
        .build();
  }

  /** RFC 3339 to the second, as the API server writes times. */
  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
