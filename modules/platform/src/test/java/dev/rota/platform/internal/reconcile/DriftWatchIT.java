package dev.rota.platform.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Installation;
import dev.rota.platform.Reconciler;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The informers of the drift watch against the simulated cluster's mock API server: status is
 * bookkeeping, except the part of it that a reconciler says it acts on.
 */
class DriftWatchIT {

  private final Installation installation = new Installation("drift-watch-it");
  private final BlockingQueue<String> enqueued = new LinkedBlockingQueue<>();

  @Test
  void a_pods_phase_change_enqueues_its_owner_and_a_status_change_that_keeps_the_phase_does_not()
      throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(1, 8, List.of("pool"));
        DriftWatch watch =
            new DriftWatch(cluster.client(), installation, (kind, key) -> enqueued.add(key))
                .start(List.of(reconciler(true), reconciler(false)))) {
      KubernetesClient client = cluster.client();
      Pod pod =
          client
              .pods()
              .inNamespace("drift")
              .resource(
                  new PodBuilder()
                      .withNewMetadata()
                      .withName("job")
                      .addToLabels(Installation.LABEL, installation.id())
                      .endMetadata()
                      .withNewSpec()
                      .addNewContainer()
                      .withName("main")
                      .withImage("registry.example.com/train:1")
                      .endContainer()
                      .endSpec()
                      .build())
              .create();

      pod.setStatus(new PodStatusBuilder().withPhase("Running").withMessage("started").build());
      pod = client.pods().inNamespace("drift").resource(pod).updateStatus();

      assertThat(enqueued.poll(10, TimeUnit.SECONDS))
          .as("the phase change enqueues the key of the reconciler that acts on it")
          .isEqualTo("phase:job");

      pod.setStatus(new PodStatusBuilder().withPhase("Running").withMessage("still on").build());
      client.pods().inNamespace("drift").resource(pod).updateStatus();

      assertThat(enqueued.poll(2, TimeUnit.SECONDS))
          .as("a status change that keeps the phase is bookkeeping for both reconcilers")
          .isNull();
    }
  }

  /** A reconciler of Pods keyed by name, acting on their phase or on nothing of their status. */
  private static Reconciler reconciler(boolean phase) {
    String prefix = phase ? "phase:" : "spec:";
    return new Reconciler() {
      @Override
      public String kind() {
        return "test." + prefix;
      }

      @Override
      public void reconcile(String key) {}

      @Override
      public Collection<String> resyncKeys() {
        return List.of();
      }

      @Override
      public List<Watched<?>> watched() {
        return List.of(
            phase
                ? new Watched<>(
                    Pod.class,
                    p -> Optional.of(prefix + p.getMetadata().getName()),
                    p -> p.getStatus() == null ? null : p.getStatus().getPhase())
                : new Watched<>(Pod.class, p -> Optional.of(prefix + p.getMetadata().getName())));
      }
    };
  }
}
