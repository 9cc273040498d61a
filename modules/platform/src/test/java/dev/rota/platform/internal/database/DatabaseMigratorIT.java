package dev.rota.platform.internal.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class DatabaseMigratorIT {

  private final DataSource dataSource = TestDatabase.get().dataSource();
  private final ClassLoader classLoader = getClass().getClassLoader();

  @Test
  void first_migration_installs_ltree_and_btree_gist() throws SQLException {
    assertThat(query("SELECT extname FROM pg_extension ORDER BY extname"))
        .contains("btree_gist", "ltree");
  }

  @Test
  void migrating_again_applies_nothing_and_reports_the_same_version() throws SQLException {
    DatabaseMigrator migrator = new DatabaseMigrator(dataSource, classLoader);
    String before = migrator.latestAvailableVersion();

    assertThat(migrator.migrate()).isEqualTo(before);
    assertThat(query("SELECT count(*)::text FROM flyway_schema_history WHERE NOT success"))
        .containsExactly("0");
  }

  @Test
  void a_server_older_than_required_is_refused_with_what_to_do() {
    DatabaseMigrator demanding =
        new DatabaseMigrator(dataSource, classLoader, 990000, DatabaseMigrator.REQUIRED_EXTENSIONS);

    assertThatThrownBy(demanding::migrate)
        .isInstanceOf(DatabaseMigrator.DatabaseUnsuitable.class)
        .hasMessageContaining("Rota needs PostgreSQL 99 or newer")
        .hasMessageContaining("ROTA_DB_URL");
  }

  @Test
  void a_server_without_a_required_extension_is_refused_naming_it() {
    DatabaseMigrator demanding =
        new DatabaseMigrator(
            dataSource, classLoader, 140000, List.of("ltree", "no_such_extension"));

    assertThatThrownBy(demanding::migrate)
        .isInstanceOf(DatabaseMigrator.DatabaseUnsuitable.class)
        .hasMessageContaining("[no_such_extension]")
        .hasMessageContaining("contrib");
  }

  private List<String> query(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }
}
