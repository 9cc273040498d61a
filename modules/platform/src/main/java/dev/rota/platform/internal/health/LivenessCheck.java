package dev.rota.platform.internal.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Rota's process is alive while it can answer at all; dependencies belong to readiness, so that a
 * database outage takes Rota out of rotation instead of having it restarted in a loop.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("rota").up().build();
  }
}
