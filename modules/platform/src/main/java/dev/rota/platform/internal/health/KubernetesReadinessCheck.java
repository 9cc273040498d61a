package dev.rota.platform.internal.health;

import dev.rota.platform.ClusterMode;
import dev.rota.platform.internal.kubernetes.KubernetesClientProducer;
import dev.rota.platform.internal.reconcile.OutboxMetrics;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports whether the Kubernetes API answers a one-item node list. It never takes Rota out of
 * service: with the API down every module keeps answering from the database and the controller loop
 * catches up when it returns, so the check stays UP and says {@code status: degraded} in its data
 * (and in the metric {@code rota.kubernetes.reachable}). The data also says whether the cluster is
 * simulated, so a probe or an operator sees it at a glance.
 */
@Readiness
@ApplicationScoped
public class KubernetesReadinessCheck implements HealthCheck {

  @Inject KubernetesClientProducer producer;
  @Inject KubernetesClient client;
  @Inject OutboxMetrics metrics;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder answer = HealthCheckResponse.named("kubernetes");
    try {
      ClusterMode mode = producer.mode();
      answer.withData("mode", mode.name().toLowerCase()).withData("simulated", mode.simulated());
      answer.withData("apiServer", client.getMasterUrl().toString());
      client.nodes().list(new ListOptionsBuilder().withLimit(1L).build());
      metrics.kubernetesReachable(true);
      return answer.withData("status", "reachable").up().build();
    } catch (RuntimeException e) {
      metrics.kubernetesReachable(false);
      return answer
          .withData("status", "degraded")
          .withData("reason", String.valueOf(e.getMessage()))
          .up()
          .build();
    }
  }
}
