package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import dev.rota.platform.Problem.Violation;
import dev.rota.platform.ProblemException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Builds every error response Rota sends: an RFC 9457 body whose {@code instance} is a fresh {@code
 * urn:uuid} that is also logged, at FINE for a client's mistake and SEVERE with the stack trace for
 * a server fault. The trace goes to the log only, never to the client.
 */
public final class ProblemResponses {

  private static final Logger LOG = Logger.getLogger(ProblemResponses.class.getName());

  private ProblemResponses() {}

  public static Response of(
      int status,
      String slug,
      String title,
      String detail,
      List<Violation> violations,
      Map<String, Object> extensions,
      Throwable cause) {
    return respond(problem(status, slug, title, detail, violations, extensions), cause);
  }

  /** Logs the problem under its instance id and wraps it in a response. */
  public static Response respond(Problem problem, Throwable cause) {
    if (problem.status() >= 500) {
      LOG.log(
          Level.SEVERE,
          problem.instance() + " " + problem.title() + ": " + problem.detail(),
          cause);
    } else {
      LOG.fine(() -> problem.instance() + " " + problem.status() + " " + problem.detail());
    }
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }

  /** The problem a module's exception describes. */
  public static Problem problem(ProblemException e) {
    return problem(e.status(), e.typeSlug(), e.title(), e.getMessage(), List.of(), e.extensions());
  }

  public static Problem problem(
      int status,
      String slug,
      String title,
      String detail,
      List<Violation> violations,
      Map<String, Object> extensions) {
    return new Problem(
        Problem.TYPE_BASE + slug,
        title,
        status,
        detail,
        "urn:uuid:" + UUID.randomUUID(),
        violations,
        extensions);
  }
}
