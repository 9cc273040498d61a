package dev.rota.platform.internal.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedDatabaseIT {

  @Test
  void data_survives_a_restart_over_the_same_directory() throws SQLException {
    Path data = TestDatabase.freshDirectory("restart");

    try (EmbeddedDatabase first = EmbeddedDatabase.start(data, TestDatabase.binaries(), 0)) {
      execute(first, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
    }
    try (EmbeddedDatabase second = EmbeddedDatabase.start(data, TestDatabase.binaries(), 0);
        Connection connection = connect(second);
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT value FROM kept")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo("still here");
    }
  }

  private static void execute(EmbeddedDatabase database, String sql) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Connection connect(EmbeddedDatabase database) throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), "postgres", "");
  }
}
