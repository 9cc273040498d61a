package dev.rota.platform.internal.problem;

import dev.rota.platform.ProblemException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Answers every module's {@link ProblemException} with its own status, title and detail. */
@Provider
public class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {

  @Override
  public Response toResponse(ProblemException e) {
    return ProblemResponses.respond(ProblemResponses.problem(e), e);
  }
}
