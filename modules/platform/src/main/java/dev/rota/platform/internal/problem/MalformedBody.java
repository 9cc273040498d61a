package dev.rota.platform.internal.problem;

import dev.rota.platform.ProblemException;

/** The request body is not exactly one well-formed JSON value of the shape the endpoint reads. */
public final class MalformedBody extends ProblemException {
  public MalformedBody(String detail) {
    super(400, "Malformed request body", detail);
  }
}
