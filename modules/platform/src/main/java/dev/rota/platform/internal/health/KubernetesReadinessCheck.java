package dev.rota.platform.internal.health;

import dev.rota.platform.ClusterMode;
import dev.rota.platform.internal.kubernetes.KubernetesClientProducer;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the Kubernetes API answers a one-item node list. The data says whether the cluster is
 * simulated, so a probe or an operator sees it at a glance.
 */
@Readiness
@ApplicationScoped
public class KubernetesReadinessCheck implements HealthCheck {

  @Inject KubernetesClientProducer producer;
  @Inject KubernetesClient client;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder answer = HealthCheckResponse.named("kubernetes");
    try {
      ClusterMode mode = producer.mode();
      answer.withData("mode", mode.name().toLowerCase()).withData("simulated", mode.simulated());
      client.nodes().list(new ListOptionsBuilder().withLimit(1L).build());
      return answer.withData("apiServer", client.getMasterUrl().toString()).up().build();
    } catch (RuntimeException e) {
      return answer.down().withData("reason", String.valueOf(e.getMessage())).build();
    }
  }
}
