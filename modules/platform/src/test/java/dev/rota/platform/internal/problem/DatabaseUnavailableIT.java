package dev.rota.platform.internal.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Problem;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import jakarta.resource.ResourceException;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database that cannot be reached is the server's state, not a bug: 503 with Retry-After, never
 * 500, whichever way the failure arrives.
 */
class DatabaseUnavailableIT {

  @Test
  void a_refused_connection_through_transactions_is_a_503_asking_to_retry() throws IOException {
    PGSimpleDataSource closed = new PGSimpleDataSource();
    closed.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/rota");
    closed.setConnectTimeout(2);

    Throwable failure = catchThrowable(() -> new Transactions(closed).read(c -> 1));

    Problem problem = DatabaseUnavailable.problemFor(failure).orElseThrow();
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.type()).isEqualTo(Problem.TYPE_BASE + "database-unavailable");
    assertThat(problem.detail()).contains("Retry in 10 seconds").doesNotContain("127.0.0.1");
    assertThat(ClientFaults.problemFor(failure)).isEmpty();
  }

  @Test
  void a_connection_the_server_terminated_is_a_503() throws SQLException {
    var database = TestDatabase.get().dataSource();
    try (Connection victim = database.getConnection();
        Connection killer = database.getConnection()) {
      int pid;
      try (Statement s = victim.createStatement();
          ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
        r.next();
        pid = r.getInt(1);
      }
      try (PreparedStatement kill = killer.prepareStatement("SELECT pg_terminate_backend(?)")) {
        kill.setInt(1, pid); // ?1: the victim's backend, as a server shutdown would end it
        kill.execute();
      }

      Throwable failure = catchThrowable(() -> victim.createStatement().execute("SELECT 1"));

      assertThat(failure).isInstanceOf(SQLException.class);
      assertThat(DatabaseUnavailable.problemFor(new RuntimeException(failure))).isPresent();
    }
  }

  @Test
  void a_pool_timeout_wrapped_by_the_connector_is_a_503() {
    Throwable poolTimeout =
        new SQLTransientConnectionException(
            "J2CA0045E: Connection not available", new ResourceException("timed out"));
    Throwable connectorOnly = new RuntimeException(new ResourceException("no connection"));

    assertThat(DatabaseUnavailable.problemFor(poolTimeout)).isPresent();
    assertThat(DatabaseUnavailable.problemFor(connectorOnly)).isPresent();
  }

  @Test
  void broken_rules_and_bugs_are_not_an_unavailable_database() {
    assertThat(DatabaseUnavailable.problemFor(new SQLException("dup", "23505"))).isEmpty();
    assertThat(DatabaseUnavailable.problemFor(new SQLException("syntax", "42601"))).isEmpty();
    assertThat(DatabaseUnavailable.problemFor(new IllegalStateException("bug"))).isEmpty();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
