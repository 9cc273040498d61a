package dev.rota.platform;

import java.util.Map;

/**
 * Root of every exception a module throws for a client's mistake or a conflict; the platform turns
 * it into an RFC 9457 {@code application/problem+json} response with this status and title.
 *
 * <p>Each module keeps its own root (for example {@code TenancyException}) under this one, with a
 * subclass per failure, so that handlers and tests can tell failures apart by type.
 */
public abstract class ProblemException extends RuntimeException {

  private final int status;
  private final String title;

  protected ProblemException(int status, String title, String detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }

  protected ProblemException(int status, String title, String detail, Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.title = title;
  }

  /** The HTTP status, always 4xx for a client's mistake or a conflict. */
  public int status() {
    return status;
  }

  /** A short, fixed summary of the problem type, the same for every occurrence. */
  public String title() {
    return title;
  }

  /** The problem type's last URI segment; by default the exception's class name in kebab case. */
  public String typeSlug() {
    return getClass().getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }

  /** Extension members added to the problem body (RFC 9457 §3.2), such as the current head. */
  public Map<String, Object> extensions() {
    return Map.of();
  }
}
