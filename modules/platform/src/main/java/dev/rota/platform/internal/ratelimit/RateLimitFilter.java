package dev.rota.platform.internal.ratelimit;

import dev.rota.platform.Problem;
import dev.rota.platform.internal.problem.ProblemResponses;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Limits the request rate of each caller (docs/rate-limiting.md): a token bucket per authenticated
 * user and per client address for unauthenticated calls; above it, 429 problem+json with {@code
 * Retry-After}. Every answered request carries the {@code RateLimit-Policy} and {@code RateLimit}
 * fields of draft-ietf-httpapi-ratelimit-headers-10.
 *
 * <p>A servlet filter rather than a JAX-RS filter, because it must also see what JAX-RS never does:
 * Liberty checks the bearer token (web.xml's constraint) before the application's filters run, so
 * an authenticated request arrives here with its principal, while an unauthenticated one is
 * answered 401 by the container and only reaches the application through the error page — this
 * filter's ERROR dispatch, where it is charged to its address. Paths outside the API (the default
 * servlet's 404s) are charged to the address too. Health probes, {@code /metrics} and {@code
 * /openapi} are served by Liberty's own applications, outside this WAR, and so are never limited.
 */
@WebFilter(
    filterName = "RateLimit",
    urlPatterns = "/*",
    dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ERROR},
    asyncSupported = true)
public class RateLimitFilter extends HttpFilter {

  private static final Logger LOG = Logger.getLogger(RateLimitFilter.class.getName());
  private static final Jsonb JSON = JsonbBuilder.create();

  private transient RateLimits limits;

  @Override
  public void init(FilterConfig config) throws ServletException {
    super.init(config);
    try {
      limits = RateLimits.fromConfig(ConfigProvider.getConfig());
    } catch (IllegalArgumentException e) {
      throw new ServletException(e.getMessage(), e);
    }
    LOG.info(
        () ->
            limits == null
                ? "Rate limiting is switched off (rota.rate-limit.enabled=false)."
                : "Rate limiting per caller is on.");
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    CallerBuckets.Decision decision = decide(request);
    if (decision == null) {
      chain.doFilter(request, response);
      return;
    }
    response.setHeader("RateLimit-Policy", decision.policy().policyHeader());
    response.setHeader("RateLimit", decision.rateLimitHeader());
    if (decision.allowed()) {
      chain.doFilter(request, response);
    } else {
      refuse(request, response, decision);
    }
  }

  /** The caller's decision, or null when this dispatch is not charged. */
  private CallerBuckets.Decision decide(HttpServletRequest request) {
    if (limits == null) {
      return null;
    }
    if (request.getDispatcherType() == DispatcherType.ERROR) {
      // Only the container's 401 is an unauthenticated request not charged yet; other error
      // pages belong to requests already charged on their way in.
      Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
      return Integer.valueOf(401).equals(status) ? limits.anonymous(request.getRemoteAddr()) : null;
    }
    Principal principal = request.getUserPrincipal();
    return principal != null && principal.getName() != null
        ? limits.user(principal.getName())
        : limits.anonymous(request.getRemoteAddr());
  }

  private static void refuse(
      HttpServletRequest request, HttpServletResponse response, CallerBuckets.Decision decision)
      throws IOException {
    long retryAfter = Math.max(1, decision.retryAfterSeconds());
    RatePolicy policy = decision.policy();
    Problem problem =
        ProblemResponses.problem(
            429,
            "rate-limited",
            "Too many requests",
            ("user".equals(policy.name()) ? "You have" : "This client address has")
                + " sent requests faster than the limit of "
                + policy.requests()
                + " per "
                + unit(policy)
                + " (bursts of up to "
                + policy.burst()
                + "). Retry in "
                + retryAfter
                + " s; the RateLimit header of each response says how many requests remain.",
            List.of(),
            Map.of("retryAfterSeconds", retryAfter));
    LOG.fine(
        () -> problem.instance() + " 429 " + request.getMethod() + " " + request.getRequestURI());
    if (!response.isCommitted()) {
      response.resetBuffer();
    }
    response.setStatus(429);
    response.setHeader("Retry-After", String.valueOf(retryAfter));
    response.setContentType(Problem.MEDIA_TYPE);
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(JSON.toJson(problem));
  }

  private static String unit(RatePolicy policy) {
    long seconds = policy.period().toSeconds();
    return seconds == 1 ? "second" : seconds == 60 ? "minute" : "hour";
  }
}
