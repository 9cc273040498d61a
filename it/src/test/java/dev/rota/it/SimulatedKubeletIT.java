package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The simulated kubelet inside Liberty: its thread runs next to the server's simulated cluster and
 * ends Pods after their own ROTA_SIMULATED_SECONDS, or after rota.kubernetes.simulated.seconds (10
 * by default) when they name none.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SimulatedKubeletIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String namespace = "kubelet-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void pods_on_the_servers_simulated_cluster_run_for_their_own_or_the_configured_seconds() {
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      String node = cluster.nodes().list().getItems().get(0).getMetadata().getName();
      create(cluster, pod("quick", node, List.of(new EnvVar("ROTA_SIMULATED_SECONDS", "1", null))));
      create(cluster, pod("plain", node, List.of()));

      Pod quick =
          Eventually.await("the quick Pod succeeded", () -> inPhase(cluster, "quick", "Succeeded"));
      Instant plainStarted =
          Instant.parse(
              Eventually.await("the plain Pod runs", () -> inPhase(cluster, "plain", "Running"))
                  .getStatus()
                  .getStartTime());
      Pod plain =
          Eventually.await("the plain Pod succeeded", () -> inPhase(cluster, "plain", "Succeeded"));

      assertThat(
              quick
                  .getStatus()
                  .getContainerStatuses()
                  .get(0)
                  .getState()
                  .getTerminated()
                  .getExitCode())
          .isZero();
      Instant plainFinished =
          Instant.parse(
              plain
                  .getStatus()
                  .getContainerStatuses()
                  .get(0)
                  .getState()
                  .getTerminated()
                  .getFinishedAt());
      // Times are to the second; the configured default is 10 s.
      assertThat(Duration.between(plainStarted, plainFinished))
          .isBetween(Duration.ofSeconds(9), Duration.ofSeconds(12));
    }
  }

  private Pod pod(String name, String node, List<EnvVar> env) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("main")
        .withImage("busybox")
        .withEnv(env)
        .endContainer()
        .endSpec()
        .build();
  }

  private static void create(KubernetesClient cluster, Pod pod) {
    cluster.resource(pod).create();
  }

  /** The Pod if it is in {@code phase}, else null. */
  private Pod inPhase(KubernetesClient cluster, String name, String phase) {
    Pod pod = cluster.pods().inNamespace(namespace).withName(name).get();
    return pod != null && pod.getStatus() != null && phase.equals(pod.getStatus().getPhase())
        ? pod
        : null;
  }
}
