package dev.rota.platform.internal.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

import dev.rota.platform.Problem;
import dev.rota.platform.ProblemException;
import dev.rota.platform.testing.TestDatabase;
import jakarta.json.Json;
import jakarta.persistence.PersistenceException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real PostgreSQL violations of each kind of constraint, as the server would see them wrapped. */
class ClientFaultsIT {

  private final DataSource dataSource = TestDatabase.get().dataSource();

  @BeforeEach
  void create_tables_with_every_kind_of_constraint() throws SQLException {
    execute(
        """
        CREATE SCHEMA faults;
        CREATE TABLE faults.pools (name text CONSTRAINT pools_name_unique UNIQUE);
        CREATE TABLE faults.bookings (
          pool   text CONSTRAINT bookings_pool_fk REFERENCES faults.pools (name),
          during int4range,
          gpus   int CONSTRAINT bookings_gpus_positive CHECK (gpus > 0),
          CONSTRAINT bookings_no_overlap EXCLUDE USING gist (pool WITH =, during WITH &&));
        INSERT INTO faults.pools VALUES ('a100');
        INSERT INTO faults.bookings VALUES ('a100', '[0,10)', 1);
        """);
  }

  @AfterEach
  void drop_them() throws SQLException {
    execute("DROP SCHEMA faults CASCADE");
  }

  @Test
  void unique_violation_is_a_409_naming_the_constraint_without_the_databases_detail() {
    Problem problem = problemFor("INSERT INTO faults.pools VALUES ('a100')");

    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.type()).isEqualTo(Problem.TYPE_BASE + "conflict");
    assertThat(problem.extensions()).containsOnly(entry("constraint", "pools_name_unique"));
    assertThat(problem.detail())
        .contains("same unique key")
        .contains("pools_name_unique")
        .doesNotContain("a100", "Key (", "already exists.", "DETAIL");
  }

  @Test
  void no_conflict_quotes_the_row_that_was_refused() {
    for (String sql :
        List.of(
            "INSERT INTO faults.pools VALUES ('a100')",
            "INSERT INTO faults.bookings VALUES ('h100', '[20,30)', 1)",
            "INSERT INTO faults.bookings VALUES ('a100', '[5,15)', 1)",
            "INSERT INTO faults.bookings VALUES ('a100', '[50,60)', 0)")) {
      Problem problem = problemFor(sql);

      assertThat(problem.detail())
          .as(sql)
          .doesNotContain("Failing row", "Key (", "conflicts with existing key", "a100", "h100");
      assertThat(problem.extensions().values().toString()).doesNotContain("a100", "h100");
    }
  }

  @Test
  void foreign_key_violation_is_a_409_naming_the_constraint() {
    Problem problem = problemFor("INSERT INTO faults.bookings VALUES ('h100', '[20,30)', 1)");

    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.extensions()).containsEntry("constraint", "bookings_pool_fk");
    assertThat(problem.detail()).contains("does not exist");
  }

  @Test
  void exclusion_violation_is_a_409_naming_the_constraint() {
    Problem problem = problemFor("INSERT INTO faults.bookings VALUES ('a100', '[5,15)', 1)");

    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.extensions()).containsEntry("constraint", "bookings_no_overlap");
    assertThat(problem.detail()).contains("overlaps");
  }

  @Test
  void check_violation_is_a_409_naming_the_constraint() {
    Problem problem = problemFor("INSERT INTO faults.bookings VALUES ('a100', '[50,60)', 0)");

    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.extensions()).containsEntry("constraint", "bookings_gpus_positive");
  }

  @Test
  void a_violation_wrapped_by_the_persistence_layer_is_still_found() {
    Throwable sql = catchThrowable(() -> execute("INSERT INTO faults.pools VALUES ('a100')"));

    Problem problem =
        ClientFaults.problemFor(new RuntimeException(new PersistenceException("commit", sql)))
            .orElseThrow();

    assertThat(problem.status()).isEqualTo(409);
  }

  @Test
  void a_module_exception_deep_in_the_chain_keeps_its_own_status() {
    Problem problem =
        ClientFaults.problemFor(new IllegalStateException(new PayloadTooLarge(10))).orElseThrow();

    assertThat(problem.status()).isEqualTo(413);
    assertThat(problem.type()).endsWith("/payload-too-large");
  }

  @Test
  void malformed_json_is_a_400_saying_where() {
    Throwable parsing =
        catchThrowable(() -> Json.createReader(new StringReader("{\n  \"name\": }")).readObject());

    Problem problem = ClientFaults.problemFor(new RuntimeException(parsing)).orElseThrow();

    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.detail()).contains("line 2");
  }

  @Test
  void other_failures_are_not_the_clients_fault() {
    assertThat(ClientFaults.problemFor(new IllegalStateException("bug"))).isEmpty();
    assertThat(ClientFaults.problemFor(new SQLException("connection lost", "08006"))).isEmpty();
  }

  @Test
  void every_problem_has_a_fresh_urn_uuid_instance() {
    ProblemException e = new PayloadTooLarge(1);
    assertThat(ProblemResponses.problem(e).instance())
        .startsWith("urn:uuid:")
        .isNotEqualTo(ProblemResponses.problem(e).instance());
  }

  private Problem problemFor(String sql) {
    Throwable failure = catchThrowable(() -> execute(sql));
    assertThat(failure).isInstanceOf(SQLException.class);
    return ClientFaults.problemFor(failure).orElseThrow();
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
