package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Recognises, anywhere in an exception's cause chain, that the database cannot be reached right now
 * (refused or lost connections, SQLSTATE class 08, a server shutting down or starting up, a pool
 * that gave no connection in time, Liberty's connector exceptions wrapping any of these) and
 * answers 503 with {@code Retry-After}: it is the server's state, not a bug, and Rota recovers by
 * itself when the database is back (readiness is DOWN meanwhile).
 */
final class DatabaseUnavailable {

  /** Seconds a client should wait; about the pool's connection timeout. */
  static final int RETRY_AFTER_SECONDS = 10;

  private static final Logger LOG = Logger.getLogger(DatabaseUnavailable.class.getName());

  /** SQLSTATEs outside class 08 that mean "not now": shutdown, crash, starting up, too many. */
  private static final Set<String> NOT_NOW = Set.of("57P01", "57P02", "57P03", "53300");

  /** Liberty's (JCA) wrappers: the pool gave no connection, or the resource adapter failed. */
  private static final Set<String> CONNECTOR_FAILURES =
      Set.of(
          "jakarta.resource.ResourceException",
          "javax.resource.ResourceException",
          "com.ibm.websphere.ce.cm.ConnectionWaitTimeoutException",
          "com.ibm.websphere.ce.j2c.ConnectionWaitTimeoutException");

  private DatabaseUnavailable() {}

  /** The 503 response if the failure is the database being out of reach, logged; else empty. */
  static Optional<Response> answer(Throwable failure) {
    return problemFor(failure)
        .map(
            problem -> {
              LOG.warning(
                  () ->
                      problem.instance()
                          + " 503: the database cannot be reached: "
                          + describe(failure));
              return Response.status(503)
                  .type(Problem.MEDIA_TYPE)
                  .header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS))
                  .entity(problem)
                  .build();
            });
  }

  /** The problem for a failure that is the database being out of reach, if it is one. */
  static Optional<Problem> problemFor(Throwable failure) {
    if (!isUnreachable(failure)) {
      return Optional.empty();
    }
    return Optional.of(
        ProblemResponses.problem(
            503,
            "database-unavailable",
            "Service temporarily unavailable",
            "Rota cannot reach its database at the moment, so the request was not completed."
                + " Retry in "
                + RETRY_AFTER_SECONDS
                + " seconds; /health/ready reports when Rota is back.",
            List.of(),
            Map.of("retryAfterSeconds", RETRY_AFTER_SECONDS)));
  }

  static boolean isUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException
          || t instanceof ConnectException
          || isConnectorFailure(t.getClass())) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || NOT_NOW.contains(state)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isConnectorFailure(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      if (CONNECTOR_FAILURES.contains(c.getName())) {
        return true;
      }
    }
    return false;
  }

  /** The chain's classes and SQLSTATEs, for the log. */
  private static String describe(Throwable failure) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      chain.append(chain.isEmpty() ? "" : " <- ").append(t.getClass().getName());
      if (t instanceof SQLException sql) {
        chain.append(" SQLSTATE ").append(sql.getSQLState());
      }
      chain.append(": ").append(t.getMessage());
    }
    return chain.toString();
  }
}
