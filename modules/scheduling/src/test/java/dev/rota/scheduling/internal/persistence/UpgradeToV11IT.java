package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * V11 on a database that already holds windows written under V3: every row's held range is
 * recomputed, and rows outside 1970..9999 are brought into range or, when wholly outside, removed.
 * Runs in a database of its own on the shared server, migrated to version 7 (the last before V11 on
 * main) first.
 */
class UpgradeToV11IT {

  private final String name = "upgrade_" + TestScheduling.unique();
  private final PGSimpleDataSource upgraded = new PGSimpleDataSource();

  @BeforeEach
  void a_database_at_version_7() throws SQLException {
    administer("CREATE DATABASE " + name);
    upgraded.setUrl(TestDatabase.get().jdbcUrl());
    upgraded.setDatabaseName(name);
    upgraded.setUser("postgres");
    flyway("7").migrate();
  }

  @AfterEach
  void drop_it() throws SQLException {
    administer("DROP DATABASE " + name + " WITH (FORCE)");
  }

  @Test
  void existing_windows_get_their_first_occurrence_and_are_brought_into_range()
      throws SQLException {
    execute(
        """
        INSERT INTO scheduling.calendars (kind, name, time_zone) VALUES ('pool', 'p', 'UTC');
        INSERT INTO scheduling.windows (calendar_id, kind, label, start_second, end_second, effective)
        SELECT id, 'maintenance', 'monday', 34200, 36000, tstzrange('2027-03-02 00:00+00', NULL)
          FROM scheduling.calendars;
        INSERT INTO scheduling.windows (calendar_id, kind, label, start_second, end_second, effective)
        SELECT id, 'maintenance', 'always', 435600, 439200, tstzrange('-infinity', NULL)
          FROM scheduling.calendars;
        INSERT INTO scheduling.windows (calendar_id, kind, label, effective)
        SELECT id, 'maintenance', 'straddles', tstzrange('1969-12-31 22:00+00', '1970-01-01 02:00+00')
          FROM scheduling.calendars;
        INSERT INTO scheduling.windows (calendar_id, kind, label, effective)
        SELECT id, 'maintenance', 'before', tstzrange('1969-06-01 00:00+00', '1969-06-02 00:00+00')
          FROM scheduling.calendars;
        """);

    flyway(null).migrate();

    assertThat(
            rows(
                """
                SELECT label || ' ' || lower(effective) || ' ' || lower(held)
                  FROM scheduling.windows ORDER BY id
                """))
        .containsExactly(
            "monday 2027-03-02 00:00:00+00 2027-03-08 09:30:00+00",
            "always 1970-01-01 00:00:00+00 1970-01-03 01:00:00+00",
            "straddles 1970-01-01 00:00:00+00 1970-01-01 00:00:00+00");
    // The false conflict of V3 is gone on upgraded data too.
    execute(
        """
        INSERT INTO scheduling.windows (calendar_id, kind, effective)
        SELECT id, 'maintenance', tstzrange('2027-03-01 09:00+00', '2027-03-03 09:00+00')
          FROM scheduling.calendars
        """);
    assertThat(rows("SELECT count(*)::text FROM scheduling.windows")).containsExactly("4");
  }

  private Flyway flyway(String target) {
    var configuration =
        Flyway.configure(getClass().getClassLoader())
            .dataSource(upgraded)
            .locations("classpath:db/migration");
    return (target == null ? configuration : configuration.target(target)).load();
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = upgraded.getConnection();
        Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  private List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = upgraded.getConnection();
        Statement statement = c.createStatement()) {
      statement.execute("SET TIME ZONE 'UTC'");
      try (ResultSet row = statement.executeQuery(sql)) {
        while (row.next()) {
          rows.add(row.getString(1));
        }
      }
    }
    return rows;
  }

  private static void administer(String sql) throws SQLException {
    try (Connection c = TestDatabase.get().dataSource().getConnection();
        Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }
}
