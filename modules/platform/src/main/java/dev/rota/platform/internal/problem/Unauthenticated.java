package dev.rota.platform.internal.problem;

import dev.rota.platform.ProblemException;

/** The request has no valid bearer token. */
public final class Unauthenticated extends ProblemException {
  public Unauthenticated(String detail) {
    super(401, "Authentication required", detail);
  }
}
