package dev.rota.platform.internal.problem;

import dev.rota.platform.ProblemException;

/** The request body is larger than {@code rota.http.max-body-bytes}. */
public final class PayloadTooLarge extends ProblemException {
  public PayloadTooLarge(long limit) {
    super(
        413,
        "Request body too large",
        "The request body is larger than the limit of "
            + limit
            + " bytes. Send a smaller body; operators can raise ROTA_HTTP_MAX_BODY_BYTES.");
  }
}
