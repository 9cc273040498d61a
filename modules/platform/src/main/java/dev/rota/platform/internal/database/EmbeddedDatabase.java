package dev.rota.platform.internal.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * A real PostgreSQL server run from the binaries zonky publishes on Maven Central, used when no
 * external database is configured. Its data directory is kept between starts, so Rota's state
 * survives a restart; initdb runs only when the directory is new.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts PostgreSQL on {@code port} over {@code dataDirectory}; port 0 picks a free one.
   *
   * @param binariesDirectory where the binaries are unpacked (once, then reused)
   */
  public static EmbeddedDatabase start(Path dataDirectory, Path binariesDirectory, int port) {
    try {
      Files.createDirectories(dataDirectory);
      Files.createDirectories(binariesDirectory);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(binariesDirectory.toFile())
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(java.time.Duration.ofSeconds(60));
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info(
          () ->
              "Embedded PostgreSQL is up on port "
                  + postgres.getPort()
                  + " with its data in "
                  + dataDirectory);
      return new EmbeddedDatabase(postgres, dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not start the embedded PostgreSQL in "
              + dataDirectory
              + " (is another Rota using it, or port "
              + port
              + " taken?): "
              + e.getMessage(),
          e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The JDBC URL of the {@code postgres} database, as the Liberty data source uses it. */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port() + "/postgres?stringtype=unspecified";
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warning(() -> "Embedded PostgreSQL did not stop cleanly: " + e.getMessage());
    }
  }
}
