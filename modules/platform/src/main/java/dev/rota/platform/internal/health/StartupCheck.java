package dev.rota.platform.internal.health;

import dev.rota.platform.internal.bootstrap.RotaBootstrap;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the bootstrap has prepared the database, the keys and the Kubernetes client. */
@Startup
@ApplicationScoped
public class StartupCheck implements HealthCheck {

  @Inject RotaBootstrap bootstrap;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("bootstrap").status(bootstrap.started()).build();
  }
}
