package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import dev.rota.platform.ProblemException;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Finds, anywhere in an exception's cause chain, a failure that is the client's doing rather than
 * the server's, and answers it: a module's {@link ProblemException}, a body that is not valid JSON
 * (400 saying where), or a PostgreSQL integrity violation (409 naming the constraint). Containers
 * wrap these (JSON-B in a processing exception, SQL in a persistence or transaction exception), so
 * the whole chain is searched.
 */
final class ClientFaults {

  private static final Logger LOG = Logger.getLogger(ClientFaults.class.getName());

  private ClientFaults() {}

  /** The response for the first client fault in the chain, logged; empty if there is none. */
  static Optional<Response> answer(Throwable failure) {
    return problemFor(failure).map(problem -> ProblemResponses.respond(problem, failure));
  }

  /** The problem describing the first client fault in the chain, if there is one. */
  static Optional<Problem> problemFor(Throwable failure) {
    if (isServerFault(failure)) {
      return Optional.empty();
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProblemException problem) {
        return Optional.of(ProblemResponses.problem(problem));
      }
      if (t instanceof SQLException sql && isIntegrityViolation(sql)) {
        return Optional.of(conflict(sql));
      }
      if (t instanceof JsonParsingException parsing) {
        return Optional.of(malformedJson(parsing, parsing.getLocation()));
      }
      if (t instanceof JsonbException || t instanceof JsonException) {
        Throwable unreadable = t;
        Optional<Problem> deeper =
            t.getCause() == null ? Optional.empty() : problemFor(t.getCause());
        return Optional.of(deeper.orElseGet(() -> malformedJson(unreadable, null)));
      }
    }
    return Optional.empty();
  }

  /**
   * JSON-B reports a class it cannot instantiate (not public, no usable constructor) the same way
   * as a body it cannot read; that is Rota's bug, not the client's, and must stay a 500.
   */
  static boolean isServerFault(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ReflectiveOperationException
          || t instanceof LinkageError
          || (t.getMessage() != null && t.getMessage().startsWith("class is not public"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isIntegrityViolation(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("23");
  }

  private static Problem malformedJson(Throwable e, JsonLocation location) {
    String where =
        location == null
            ? ""
            : " at line " + location.getLineNumber() + ", column " + location.getColumnNumber();
    return ProblemResponses.problem(
        400,
        "malformed-body",
        "Malformed request body",
        "The request body could not be read as the expected JSON" + where + ": " + rootMessage(e),
        List.of(),
        Map.of());
  }

  /**
   * One answer for SQLSTATE class 23, which the database raises for every broken rule. The client
   * gets the constraint's name and a sentence Rota wrote; PostgreSQL's own message and DETAIL quote
   * the row ("Failing row contains (...)", "Key (...)=(...)"), which may be another owner's data,
   * so they go to the log under the problem's instance id only.
   */
  private static Problem conflict(SQLException e) {
    String constraint = null;
    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
      constraint = psql.getServerErrorMessage().getConstraint();
    }
    Map<String, Object> members = new LinkedHashMap<>();
    if (constraint != null) {
      members.put("constraint", constraint);
    }
    String detail =
        ConstraintMessages.describe(constraint)
            .orElse(sqlStateSummary(e.getSQLState()) + named(constraint));
    Problem problem =
        ProblemResponses.problem(
            409, "conflict", "Conflicts with existing data", detail, List.of(), members);
    LOG.info(() -> problem.instance() + " the database refused the change: " + serverSays(e));
    return problem;
  }

  /** PostgreSQL's message with its DETAIL, for the log only. */
  private static String serverSays(SQLException e) {
    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
      ServerErrorMessage message = psql.getServerErrorMessage();
      return e.getSQLState()
          + " "
          + message.getMessage()
          + (message.getDetail() == null ? "" : " DETAIL: " + message.getDetail());
    }
    return e.getSQLState() + " " + e.getMessage();
  }

  private static String sqlStateSummary(String sqlState) {
    return switch (sqlState) {
      case "23505" -> "Something with the same unique key already exists";
      case "23503" ->
          "The request refers to something that does not exist, or something still"
              + " refers to what it would remove";
      case "23P01" -> "The request overlaps with something that already exists";
      case "23514" -> "The request breaks a rule the data must keep";
      default -> "The request breaks the integrity of existing data";
    };
  }

  private static String named(String constraint) {
    return constraint == null ? "." : " (constraint " + constraint + ").";
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
