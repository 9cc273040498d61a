package dev.rota.platform.internal.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;

/**
 * The last resort: a client's mistake found anywhere in the cause chain still gets its 4xx, a
 * database out of reach a 503 with {@code Retry-After}; anything else is a 500 whose body carries
 * only the correlation id that the logged stack trace also carries.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Throwable> {

  @Override
  public Response toResponse(Throwable e) {
    return ClientFaults.answer(e)
        .or(() -> DatabaseUnavailable.answer(e))
        .orElseGet(
            () ->
                ProblemResponses.of(
                    500,
                    "internal-error",
                    "Internal server error",
                    "The server failed to complete the request. Quote the instance id to the"
                        + " operators; the cause is in the server log under the same id.",
                    List.of(),
                    Map.of(),
                    e));
  }
}
