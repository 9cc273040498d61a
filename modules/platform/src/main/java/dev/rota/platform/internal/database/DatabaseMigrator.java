package dev.rota.platform.internal.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a database to Rota's schema: first checks that the server can carry Rota (PostgreSQL 14 or
 * newer, with ltree and btree_gist available), then applies the Flyway migrations found on the
 * classpath under {@code db/migration}.
 */
public final class DatabaseMigrator {

  /** PostgreSQL 14 brought multiranges, which the scheduling constraints use. */
  static final int MINIMUM_SERVER_VERSION = 140000;

  static final List<String> REQUIRED_EXTENSIONS = List.of("ltree", "btree_gist");

  private static final Logger LOG = Logger.getLogger(DatabaseMigrator.class.getName());

  private static final String SERVER_FACTS =
      """
      SELECT current_setting('server_version_num')::int AS version_num,
             current_setting('server_version')          AS version,
             (SELECT array_agg(name::text ORDER BY name)
                FROM pg_available_extensions
               WHERE name = ANY (?))                    AS available
      """; // ?1: the extension names Rota needs

  private final DataSource dataSource;
  private final ClassLoader classLoader;
  private final int minimumServerVersion;
  private final List<String> requiredExtensions;

  public DatabaseMigrator(DataSource dataSource, ClassLoader classLoader) {
    this(dataSource, classLoader, MINIMUM_SERVER_VERSION, REQUIRED_EXTENSIONS);
  }

  /** With other requirements, so that tests can see a server refused. */
  DatabaseMigrator(
      DataSource dataSource,
      ClassLoader classLoader,
      int minimumServerVersion,
      List<String> requiredExtensions) {
    this.dataSource = dataSource;
    this.classLoader = classLoader;
    this.minimumServerVersion = minimumServerVersion;
    this.requiredExtensions = requiredExtensions;
  }

  /** Checks the server, then migrates; returns the schema version now applied. */
  public String migrate() {
    checkServer();
    MigrateResult result = flyway().migrate();
    String version = latestAvailableVersion();
    LOG.info(
        () ->
            "Database schema at version "
                + version
                + " ("
                + result.migrationsExecuted
                + " migrations applied now)");
    return version;
  }

  /** The version of the newest migration shipped with this build. */
  public String latestAvailableVersion() {
    MigrationInfo[] all = flyway().info().all();
    return all.length == 0 ? "0" : all[all.length - 1].getVersion().getVersion();
  }

  private Flyway flyway() {
    return Flyway.configure(classLoader)
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .load();
  }

  /** Refuses, with a message that says what to do, a server Rota cannot run on. */
  void checkServer() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(SERVER_FACTS)) {
      query.setArray(1, connection.createArrayOf("text", requiredExtensions.toArray()));
      try (ResultSet facts = query.executeQuery()) {
        facts.next();
        int versionNum = facts.getInt("version_num");
        String version = facts.getString("version");
        if (versionNum < minimumServerVersion) {
          throw new DatabaseUnsuitable(
              "Rota needs PostgreSQL "
                  + minimumServerVersion / 10000
                  + " or newer, but the configured database runs "
                  + version
                  + ". Upgrade it, or unset ROTA_DB_URL to use the embedded PostgreSQL.");
        }
        List<String> available =
            facts.getArray("available") == null
                ? List.of()
                : Arrays.asList((String[]) facts.getArray("available").getArray());
        List<String> missing =
            requiredExtensions.stream().filter(name -> !available.contains(name)).toList();
        if (!missing.isEmpty()) {
          throw new DatabaseUnsuitable(
              "The configured PostgreSQL "
                  + version
                  + " does not offer the extensions "
                  + missing
                  + " that Rota needs. Install the server's contrib package (for example"
                  + " postgresql-contrib) and restart Rota.");
        }
      }
    } catch (SQLException e) {
      throw new DatabaseUnsuitable(
          "Rota cannot reach its database: "
              + e.getMessage()
              + ". Check ROTA_DB_URL, ROTA_DB_USER and ROTA_DB_PASSWORD, or unset ROTA_DB_URL to"
              + " use the embedded PostgreSQL.",
          e);
    }
  }

  /** The database cannot carry Rota; the message says what to change. */
  public static final class DatabaseUnsuitable extends RuntimeException {
    DatabaseUnsuitable(String message) {
      super(message);
    }

    DatabaseUnsuitable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
