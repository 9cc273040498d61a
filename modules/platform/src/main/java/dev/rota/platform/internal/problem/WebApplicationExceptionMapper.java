package dev.rota.platform.internal.problem;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;

/**
 * Answers the errors JAX-RS itself raises (no such resource, method not allowed, unsupported media
 * type, unreadable body) as problem details, keeping headers such as {@code Allow}.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

  @Context UriInfo uri;
  @Context Request request;
  @Context HttpHeaders headers;

  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    if (status == 400 || status >= 500) {
      // A body JSON-B could not read arrives here wrapped; say where it broke.
      var specific =
          ClientFaults.answer(e.getCause()).or(() -> DatabaseUnavailable.answer(e.getCause()));
      if (specific.isPresent()) {
        return specific.get();
      }
    }
    Response problem =
        ProblemResponses.of(
            status, slug(status), title(original), detail(e, status), List.of(), Map.of(), e);
    Response.ResponseBuilder answer = Response.fromResponse(problem);
    original
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Content-Type")
                  && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> answer.header(name, value));
              }
            });
    return answer.build();
  }

  private String detail(WebApplicationException e, int status) {
    if (e instanceof NotFoundException) {
      return "There is no resource at "
          + uri.getRequestUri().getPath()
          + ". See /openapi/ui for the API.";
    }
    if (e instanceof NotAllowedException) {
      return request.getMethod()
          + " is not allowed on "
          + uri.getRequestUri().getPath()
          + "; allowed: "
          + String.join(", ", e.getResponse().getAllowedMethods())
          + ".";
    }
    if (e instanceof NotSupportedException) {
      return "Content-Type "
          + headers.getMediaType()
          + " is not accepted here; send application/json.";
    }
    if (e instanceof NotAcceptableException) {
      return "Nothing here can answer in "
          + headers.getHeaderString(HttpHeaders.ACCEPT)
          + "; accept application/json (errors come as application/problem+json).";
    }
    if (status >= 500) {
      return "The server could not complete the request.";
    }
    // The JAX-RS implementation's own message names its internals (RESTEASY…): keep it in the log.
    return "The request could not be handled (HTTP " + status + ").";
  }

  private static String title(Response response) {
    Response.StatusType info = response.getStatusInfo();
    return info.getReasonPhrase() == null ? "HTTP " + response.getStatus() : info.getReasonPhrase();
  }

  private static String slug(int status) {
    return switch (status) {
      case 400 -> "bad-request";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 406 -> "not-acceptable";
      case 415 -> "unsupported-media-type";
      default -> "http-" + status;
    };
  }
}
