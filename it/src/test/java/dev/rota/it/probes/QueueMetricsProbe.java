package dev.rota.it.probes;

import dev.rota.queue.internal.application.QueueMetrics;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.time.Duration;

/**
 * Deployed with the real WAR in the tests only: records one admission, one claim and one start in
 * the queue's metrics, as admission and dispatch will, so the test can read them back.
 */
@Path("test-probes/queue-metrics")
@RequestScoped
public class QueueMetricsProbe {

  @Inject QueueMetrics metrics;

  @POST
  public void record() {
    metrics.admitted("probe-pool", "in_quota");
    metrics.claimLatency(Duration.ofMillis(12));
    metrics.submitToRunning(Duration.ofSeconds(3));
  }
}
