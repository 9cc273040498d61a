package dev.rota.platform.internal.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rota.platform.testing.FlakyCluster;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated kubelet against the real mock API server: Pods bound to a node move through the
 * phases a real kubelet would give them. Each test works in namespaces of its own.
 */
class SimulatedKubeletTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  /** Pods that name no run time run far longer than any test waits. */
  private static SimulatedCluster cluster;

  private static KubernetesClient client;

  @BeforeAll
  static void startCluster() {
    cluster = SimulatedCluster.start(2, 8, List.of("pool"), Duration.ofMinutes(5));
    client = cluster.client();
  }

  @AfterAll
  static void closeCluster() {
    cluster.close();
  }

  @Test
  void a_pod_bound_to_a_node_runs_and_then_succeeds_after_its_simulated_seconds() {
    String ns = namespace();
    Instant created = Instant.now();
    create(client, pod(ns, "job", "gpu-node-01", main -> main.addToEnv(seconds("1"))));

    Pod running = awaitPhase(client, ns, "job", "Running");
    assertThat(running.getStatus().getStartTime()).isNotBlank();
    assertThat(running.getStatus().getContainerStatuses())
        .singleElement()
        .satisfies(
            status -> {
              assertThat(status.getName()).isEqualTo("main");
              assertThat(status.getReady()).isTrue();
              assertThat(status.getState().getRunning().getStartedAt())
                  .isEqualTo(running.getStatus().getStartTime());
            });

    Pod succeeded = awaitPhase(client, ns, "job", "Succeeded");
    // Pending for the start delay (0.5 s), then running its 1 s; the cluster's default is 5 min.
    assertThat(Duration.between(created, Instant.now())).isGreaterThan(Duration.ofMillis(1500));
    assertThat(succeeded.getStatus().getStartTime()).isEqualTo(running.getStatus().getStartTime());
    ContainerStateTerminated terminated = terminated(succeeded);
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
  }

  @Test
  void a_pod_whose_command_is_false_fails_with_exit_code_1() {
    String ns = namespace();
    create(client, pod(ns, "broken", "gpu-node-01", main -> main.withCommand("false")));

    Pod failed = awaitPhase(client, ns, "broken", "Failed");

    assertThat(failed.getStatus().getStartTime()).as("it ran before it failed").isNotBlank();
    assertThat(terminated(failed).getExitCode()).isEqualTo(1);
    assertThat(terminated(failed).getReason()).isEqualTo("Error");
    assertThat(failed.getStatus().getReason()).isNull();
  }

  @Test
  void a_pod_running_past_its_active_deadline_fails_with_deadline_exceeded() {
    String ns = namespace();
    Pod slow = pod(ns, "slow", "gpu-node-02", main -> main.addToEnv(seconds("60")));
    slow.getSpec().setActiveDeadlineSeconds(1L);
    create(client, slow);

    Pod failed = awaitPhase(client, ns, "slow", "Failed");

    assertThat(failed.getStatus().getReason()).isEqualTo("DeadlineExceeded");
    assertThat(terminated(failed).getExitCode()).isNotZero();
  }

  @Test
  void pods_not_bound_to_an_existing_node_stay_pending() {
    String ns = namespace();
    create(client, pod(ns, "unbound", null, main -> main));
    create(client, pod(ns, "nowhere", "no-such-node", main -> main));
    create(client, pod(ns, "witness", "gpu-node-01", main -> main.addToEnv(seconds("0.5"))));

    // The kubelet has passed over every Pod many times once the witness has run to its end.
    awaitPhase(client, ns, "witness", "Succeeded");

    assertThat(phase(client, ns, "unbound")).isIn(null, "Pending");
    assertThat(phase(client, ns, "nowhere")).isIn(null, "Pending");
  }

  @Test
  void a_pod_being_deleted_is_left_alone() {
    String ns = namespace();
    Pod held = pod(ns, "held", "gpu-node-01", main -> main);
    held.getMetadata().setFinalizers(List.of("rota.dev/test"));
    create(client, held);
    client.pods().inNamespace(ns).withName("held").delete();
    assertThat(client.pods().inNamespace(ns).withName("held").get().getMetadata())
        .as("a finalizer keeps the deleted Pod, marked for deletion")
        .satisfies(meta -> assertThat(meta.getDeletionTimestamp()).isNotNull());
    create(client, pod(ns, "witness", "gpu-node-01", main -> main.addToEnv(seconds("0.5"))));

    awaitPhase(client, ns, "witness", "Succeeded");

    assertThat(phase(client, ns, "held")).isIn(null, "Pending");
  }

  @Test
  void pods_in_two_namespaces_both_run_to_the_end() {
    String first = namespace();
    String second = namespace();
    create(client, pod(first, "job", "gpu-node-01", main -> main.addToEnv(seconds("1"))));
    create(client, pod(second, "job", "gpu-node-02", main -> main.addToEnv(seconds("1"))));

    awaitPhase(client, first, "job", "Succeeded");
    awaitPhase(client, second, "job", "Succeeded");
  }

  @Test
  void a_pod_without_readable_simulated_seconds_runs_for_the_clusters_default() {
    try (SimulatedCluster quick =
        SimulatedCluster.start(1, 8, List.of("pool"), Duration.ofSeconds(1))) {
      String ns = namespace();
      create(quick.client(), pod(ns, "plain", "gpu-node-01", main -> main));
      create(
          quick.client(), pod(ns, "garbled", "gpu-node-01", main -> main.addToEnv(seconds("x"))));

      awaitPhase(quick.client(), ns, "plain", "Succeeded");
      awaitPhase(quick.client(), ns, "garbled", "Succeeded");
    }
  }

  @Test
  void the_kubelet_keeps_going_after_the_api_server_failed_its_requests() {
    try (FlakyCluster flaky = new FlakyCluster()) {
      KubernetesClient setup = flaky.client();
      setup
          .resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build())
          .create();
      create(setup, pod("flaky", "job", "n1", main -> main.addToEnv(seconds("0.5"))));
      flaky.fail(10, 500);
      // No retries inside the client: every fault reaches the kubelet's loop.
      KubernetesClient direct =
          new KubernetesClientBuilder()
              .withConfig(
                  new ConfigBuilder(Config.empty())
                      .withMasterUrl(setup.getMasterUrl().toString())
                      .withRequestRetryBackoffLimit(0)
                      .build())
              .withHttpClientFactory(new JdkHttpClientFactory())
              .build();

      try (SimulatedKubelet kubelet =
          new SimulatedKubelet(direct, Duration.ofMillis(100), Duration.ofMinutes(5))) {
        kubelet.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (flaky.faultsLeft() > 0 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }

        awaitPhase(setup, "flaky", "job", "Succeeded");
        assertThat(flaky.exchanges())
            .as("the kubelet met every fault")
            .filteredOn(exchange -> exchange.status() == 500)
            .hasSize(10);
      }
    }
  }

  private static String namespace() {
    return "kubelet-" + NAMESPACES.incrementAndGet();
  }

  /** A Pod with one container named main, shaped by {@code main}, on {@code node} if not null. */
  private static Pod pod(
      String ns, String name, String node, UnaryOperator<ContainerBuilder> main) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withContainers(
            main.apply(new ContainerBuilder().withName("main").withImage("busybox")).build())
        .endSpec()
        .build();
  }

  private static EnvVar seconds(String value) {
    return new EnvVar("ROTA_SIMULATED_SECONDS", value, null);
  }

  private static void create(KubernetesClient client, Pod pod) {
    client.resource(pod).create();
  }

  private static String phase(KubernetesClient client, String ns, String name) {
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static ContainerStateTerminated terminated(Pod pod) {
    return pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
  }

  /** Polls the Pod until it is in {@code phase}; fails the test after {@link #WAIT}. */
  private static Pod awaitPhase(KubernetesClient client, String ns, String name, String phase) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = phase(client, ns, name);
      if (phase.equals(last)) {
        return client.pods().inNamespace(ns).withName(name).get();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return fail("Pod %s/%s not %s within %s; last phase %s", ns, name, phase, WAIT, last);
  }
}
