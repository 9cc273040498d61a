package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import dev.rota.platform.Problem.Violation;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Builds every error response Rota sends: an RFC 9457 body whose {@code instance} is a fresh
 * {@code urn:uuid} that is also logged, at FINE for a client's mistake and SEVERE with the stack
 * trace for a server fault. The trace goes to the log only, never to the client.
 */
public final class ProblemResponses {

  private static final Logger LOG = Logger.getLogger(ProblemResponses.class.getName());

  private ProblemResponses() {}

  public static Response of(int status, String slug, String title, String detail) {
    return of(status, slug, title, detail, List.of(), Map.of(), null);
  }

  public static Response of(
      int status,
      String slug,
      String title,
      String detail,
      List<Violation> violations,
      Map<String, Object> extensions,
      Throwable cause) {
    Problem problem = problem(status, slug, title, detail, violations, extensions);
    if (status >= 500) {
      LOG.log(Level.SEVERE, problem.instance() + " " + title + ": " + detail, cause);
    } else {
      LOG.fine(() -> problem.instance() + " " + status + " " + title + ": " + detail);
    }
    return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem).build();
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
