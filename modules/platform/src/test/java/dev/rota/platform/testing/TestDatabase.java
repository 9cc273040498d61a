package dev.rota.platform.testing;

import dev.rota.platform.Transactions;
import dev.rota.platform.internal.database.DatabaseMigrator;
import dev.rota.platform.internal.database.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL per test JVM, started from the embedded binaries on a free port over a fresh
 * directory and migrated with Rota's own migrations, exactly as the server does at start. Each test
 * seeds and cleans its own data.
 */
public final class TestDatabase {

  private static TestDatabase shared;

  private final EmbeddedDatabase server;
  private final PGSimpleDataSource dataSource;

  private TestDatabase(EmbeddedDatabase server) {
    this.server = server;
    this.dataSource = new PGSimpleDataSource();
    dataSource.setUrl(server.jdbcUrl());
    dataSource.setUser("postgres");
  }

  /** The shared, migrated database; started on first use and stopped when the JVM exits. */
  public static synchronized TestDatabase get() {
    if (shared == null) {
      shared = new TestDatabase(EmbeddedDatabase.start(freshDirectory("pgdata"), binaries(), 0));
      new DatabaseMigrator(shared.dataSource, TestDatabase.class.getClassLoader()).migrate();
      Runtime.getRuntime().addShutdownHook(new Thread(shared.server::close));
    }
    return shared;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public String jdbcUrl() {
    return server.jdbcUrl();
  }

  /** A new empty directory under the build's target folder. */
  public static Path freshDirectory(String prefix) {
    try {
      Path target = Path.of("target");
      Files.createDirectories(target);
      return Files.createTempDirectory(target.toAbsolutePath(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the binaries are unpacked, shared by every test run of this checkout. */
  public static Path binaries() {
    return Path.of(System.getProperty("java.io.tmpdir"), "rota-test-postgres-binaries");
  }

  /**
   * Transactions that all run on one open connection, as they would on a pooled data source, for
   * tests and benchmarks that run thousands of short transactions in a row from one thread.
   */
  public static Transactions onOneConnection(Connection connection) {
    Connection keptOpen = keptOpen(connection);
    return new Transactions(handingOut(() -> keptOpen));
  }

  /**
   * One connection per thread, kept open, as a pool would hand out: for benchmarks whose threads
   * run thousands of short transactions each.
   */
  public static DataSource perThreadConnections(DataSource plain) {
    ThreadLocal<Connection> mine =
        ThreadLocal.withInitial(
            () -> {
              try {
                return keptOpen(plain.getConnection());
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    return handingOut(mine::get);
  }

  /** The connection, with {@code close()} doing nothing, as a pooled connection's does. */
  private static Connection keptOpen(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                return null;
              }
              try {
                return method.invoke(connection, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A data source whose {@code getConnection()} answers what {@code connections} gives. */
  private static DataSource handingOut(java.util.function.Supplier<Connection> connections) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                return connections.get();
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
