package dev.rota.platform.internal.health;

import dev.rota.platform.internal.bootstrap.RotaBootstrap;
import dev.rota.platform.internal.database.ApplicationDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the database answers and its schema is at the version this build migrates to. */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements HealthCheck {

  private static final String APPLIED_VERSION =
      """
      SELECT version FROM flyway_schema_history
       WHERE success AND version IS NOT NULL
       ORDER BY installed_rank DESC LIMIT 1
      """;

  @Inject RotaBootstrap bootstrap;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder answer = HealthCheckResponse.named("database");
    String expected = bootstrap.schemaVersion();
    if (expected == null) {
      return answer.down().withData("reason", "not migrated yet").build();
    }
    try (Connection connection = ApplicationDataSource.lookup().getConnection();
        PreparedStatement query = connection.prepareStatement(APPLIED_VERSION);
        ResultSet row = query.executeQuery()) {
      String applied = row.next() ? row.getString(1) : "none";
      return answer
          .status(expected.equals(applied))
          .withData("schemaVersion", applied)
          .withData("expectedSchemaVersion", expected)
          .withData("product", connection.getMetaData().getDatabaseProductVersion())
          .build();
    } catch (SQLException | RuntimeException e) {
      return answer.down().withData("reason", String.valueOf(e.getMessage())).build();
    }
  }
}
