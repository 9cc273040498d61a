package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The error page for failures the servlet container answers before JAX-RS sees the request: a
 * missing or invalid bearer token (401), a forbidden path (403), an unexpected failure (500).
 * {@code web.xml} routes those status codes here so that they too are problem details.
 *
 * <p>It is also the default servlet ("/"), so that any path outside the API is a 404 problem
 * straight away. Rota serves no static files; leaving unknown paths to Liberty's file servlet made
 * a request that had upgraded to HTTP/2 (h2c) hang on its error page.
 */
@WebServlet(
    name = "ContainerErrors",
    urlPatterns = {ContainerErrorServlet.PATH, "/"})
public class ContainerErrorServlet extends HttpServlet {

  public static final String PATH = "/problems/container-error";

  private static final Logger LOG = Logger.getLogger(ContainerErrorServlet.class.getName());
  private static final Jsonb JSON = JsonbBuilder.create();

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : 404;
    String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
    if (code == null) {
      path = request.getRequestURI();
    }
    Problem problem =
        ProblemResponses.problem(
            status, slug(status), title(status), detail(status, path), List.of(), Map.of());
    if (status >= 500) {
      LOG.severe(
          () ->
              problem.instance()
                  + " container error "
                  + status
                  + " at "
                  + request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
    }
    response.setStatus(status);
    response.setContentType(Problem.MEDIA_TYPE);
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(JSON.toJson(problem));
  }

  private static String slug(int status) {
    return switch (status) {
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 413 -> "payload-too-large";
      default -> status >= 500 ? "internal-error" : "http-" + status;
    };
  }

  private static String title(int status) {
    return switch (status) {
      case 401 -> "Authentication required";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Request body too large";
      default -> status >= 500 ? "Internal server error" : "HTTP " + status;
    };
  }

  private static String detail(int status, String path) {
    return switch (status) {
      case 401 ->
          "Send a valid bearer token: Authorization: Bearer <JWT>. The token may be"
              + " missing, expired, not signed by a trusted key, or from another issuer.";
      case 403 -> "Your credentials do not allow access to " + path + ".";
      case 404 ->
          "There is no resource at "
              + path
              + ". The API lives under /api/v1; see"
              + " /openapi/ui.";
      case 405 -> "This method is not allowed on " + path + ".";
      case 413 -> "The request body is larger than the server accepts.";
      default ->
          status >= 500
              ? "The server failed to complete the request. Quote the instance id to the operators."
              : "The request to " + path + " failed.";
    };
  }
}
