package dev.rota.it.probes;

import dev.rota.platform.Transactions;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.RequestScoped;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Deployed with the real WAR in the tests only: endpoints that provoke each class of failure, so
 * that the platform's answers are checked over HTTP before any module has endpoints of its own.
 */
@Path("test-probes")
@RequestScoped
public class ProbeResource {

  /** A request with the kinds of constraint real requests carry. */
  public record ProbeRequest(@NotBlank @Size(max = 63) String name, @Min(1) @Max(8) int gpus) {}

  @Resource(lookup = "jdbc/rota")
  DataSource dataSource;

  /** A Liberty data source whose database is never there (test server configuration). */
  @Resource(lookup = "jdbc/unreachable")
  DataSource unreachable;

  @POST
  @Path("echo")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public ProbeRequest echo(@Valid ProbeRequest request) {
    return request;
  }

  @POST
  @Path("duplicate")
  public void duplicate() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS it_probe (name text CONSTRAINT it_probe_name_unique UNIQUE)");
      statement.execute("INSERT INTO it_probe VALUES ('taken') ON CONFLICT DO NOTHING");
      statement.execute("INSERT INTO it_probe VALUES ('taken')");
    }
  }

  @GET
  @Path("unreachable-database")
  public String unreachableDatabase() {
    return new Transactions(unreachable).read(c -> "never reached");
  }

  @GET
  @Path("crash")
  public String crash() {
    throw new IllegalStateException("internal detail that must stay in the log");
  }
}
