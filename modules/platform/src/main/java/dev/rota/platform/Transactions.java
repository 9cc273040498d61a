package dev.rota.platform;

import dev.rota.platform.internal.database.ApplicationDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs a unit of work on one database connection in one transaction: committed when the work
 * returns, rolled back when it throws. Every mutating transaction names its actor, which the audit
 * triggers record ({@code rota.actor}). A deadlock or serialization failure, which only concurrency
 * causes, is retried a few times before it reaches the caller.
 *
 * <p>Every transaction sets {@code statement_timeout} and {@code lock_timeout} for itself ({@code
 * SET LOCAL}, so they also hold through a transaction-pooling PgBouncer): no request waits forever
 * on a lock. Code run by EJB timers must not run in a container transaction (timers are {@code
 * NOT_SUPPORTED}, see docs/decisions.md): this class commits by hand.
 *
 * <p>Modules use plain JDBC through this class because the SQL that carries Rota's design (ltree,
 * ranges, row locks) is native anyway; one way of doing transactions serves them all.
 */
@ApplicationScoped
public class Transactions {

  private static final int ATTEMPTS = 3;

  /** One database interaction inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;

  @Inject
  @ConfigProperty(
      name = "rota.database.statement-timeout",
      defaultValue = DEFAULT_STATEMENT_TIMEOUT)
  String statementTimeout = DEFAULT_STATEMENT_TIMEOUT;

  @Inject
  @ConfigProperty(name = "rota.database.lock-timeout", defaultValue = DEFAULT_LOCK_TIMEOUT)
  String lockTimeout = DEFAULT_LOCK_TIMEOUT;

  static final String DEFAULT_STATEMENT_TIMEOUT = "30s";
  static final String DEFAULT_LOCK_TIMEOUT = "10s";

  /** The application's data source (Liberty's {@code jdbc/rota}). */
  public Transactions() {
    this(null);
  }

  /** A given data source, for tests and benchmarks. */
  public Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** A given data source with given limits (PostgreSQL durations such as {@code 200ms}). */
  public Transactions(DataSource dataSource, String statementTimeout, String lockTimeout) {
    this(dataSource);
    this.statementTimeout = statementTimeout;
    this.lockTimeout = lockTimeout;
  }

  /** Runs {@code work} in a transaction attributed to {@code actor} in the audit trail. */
  public <T> T write(String actor, Work<T> work) {
    return run(
        connection -> {
          try (PreparedStatement setActor =
              connection.prepareStatement("SELECT set_config('rota.actor', ?, true)")) {
            setActor.setString(1, actor); // ?1: who is acting, for the audit triggers
            setActor.execute();
          }
          return work.run(connection);
        },
        false);
  }

  /** Runs {@code work} in a read-only transaction. */
  public <T> T read(Work<T> work) {
    return run(work, true);
  }

  /**
   * Runs {@code work} as {@link #write} does, then rolls it back whatever it did: a rehearsal whose
   * only result is what {@code work} returns. Every row, trigger effect and {@code NOTIFY} goes
   * with the rollback; sequence values it drew stay drawn (PostgreSQL never rolls them back).
   */
  public <T> T rehearse(String actor, Work<T> work) {
    return run(
        connection -> {
          try (PreparedStatement setActor =
              connection.prepareStatement("SELECT set_config('rota.actor', ?, true)")) {
            setActor.setString(1, actor); // ?1: who is acting, for the audit triggers
            setActor.execute();
          }
          return work.run(connection);
        },
        false,
        true);
  }

  private <T> T run(Work<T> work, boolean readOnly) {
    return run(work, readOnly, false);
  }

  private <T> T run(Work<T> work, boolean readOnly, boolean rollBack) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = dataSource().getConnection()) {
        connection.setAutoCommit(false);
        connection.setReadOnly(readOnly);
        try {
          limitWaits(connection);
          T result = work.run(connection);
          if (rollBack) {
            connection.rollback();
          } else {
            connection.commit();
          }
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          connection.rollback();
          throw e;
        } finally {
          connection.setReadOnly(false);
          connection.setAutoCommit(true);
        }
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && isTransient(e)) {
          continue;
        }
        throw new DatabaseFailure(e);
      }
    }
  }

  private void limitWaits(Connection connection) throws SQLException {
    try (PreparedStatement limits =
        connection.prepareStatement(
            "SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true)")) {
      limits.setString(1, statementTimeout); // ?1: longest statement, e.g. 30s
      limits.setString(2, lockTimeout); // ?2: longest wait for a lock, e.g. 10s
      limits.execute();
    }
  }

  private static boolean isTransient(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  DataSource dataSource() { // package-visible for ChannelListener.of
    return dataSource != null ? dataSource : ApplicationDataSource.lookup();
  }

  /**
   * A database failure, carrying the {@link SQLException}; the platform answers it with 409 when
   * the database refused the change for breaking a rule, and 500 otherwise.
   */
  public static final class DatabaseFailure extends RuntimeException {
    public DatabaseFailure(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
