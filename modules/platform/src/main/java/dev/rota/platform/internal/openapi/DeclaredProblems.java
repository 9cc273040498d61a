package dev.rota.platform.internal.openapi;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Operation;

/**
 * Turns an operation's {@code @Extension(name = "x-rota-problems", value = "403 404 409")} into
 * problem+json responses with Rota's standard description of each status. Resources declare their
 * errors this way rather than with {@code @APIResponse}, because any {@code @APIResponse} on a
 * method stops MicroProfile OpenAPI from deriving the success response from the return type (which
 * for {@code Page<NodeView>} no annotation can name). An explicit {@code @APIResponse} for the same
 * status wins: the filter only adds what is missing.
 */
final class DeclaredProblems {

  static final String EXTENSION = "x-rota-problems";

  private static final Map<String, String> DESCRIPTIONS =
      Map.of(
          "403",
          "You can see the object, but your role is too low for this; `detail` names the role"
              + " needed.",
          "404",
          "Not found: it does not exist, or you may not see it. Both answer exactly the same,"
              + " apart from `instance`.",
          "409",
          "Conflicts with the current state or breaks a rule of the data; `detail` says which"
              + " (`constraint` names a database rule). Nothing was changed.",
          "412",
          "A precondition of the request does not hold any more; nothing was changed.",
          "422",
          "Well-formed, but it cannot be applied; `detail` says why. Nothing was changed.");

  private DeclaredProblems() {}

  static void apply(Operation operation) {
    if (operation.getExtensions() == null || !operation.getExtensions().containsKey(EXTENSION)) {
      return;
    }
    String codes = String.valueOf(operation.getExtensions().get(EXTENSION));
    operation.removeExtension(EXTENSION);
    // MicroProfile OpenAPI also copies a method's extensions onto its request body and responses.
    if (operation.getRequestBody() != null) {
      operation.getRequestBody().removeExtension(EXTENSION);
    }
    if (operation.getResponses() != null) {
      operation.getResponses().removeExtension(EXTENSION);
      if (operation.getResponses().getAPIResponses() != null) {
        operation
            .getResponses()
            .getAPIResponses()
            .values()
            .forEach(r -> r.removeExtension(EXTENSION));
      }
    }
    if (operation.getParameters() != null) {
      operation.getParameters().forEach(p -> p.removeExtension(EXTENSION));
    }
    if (operation.getResponses() == null) {
      operation.setResponses(OASFactory.createAPIResponses());
    }
    for (String code : codes.trim().split("[\\s,]+")) {
      String description = DESCRIPTIONS.get(code);
      if (description == null) {
        throw new IllegalArgumentException(
            "x-rota-problems of "
                + operation.getOperationId()
                + " names "
                + code
                + ", which has no standard description; declare it with @APIResponse");
      }
      if (!operation.getResponses().hasAPIResponse(code)) {
        operation.getResponses().addAPIResponse(code, ProblemResponsesFilter.problem(description));
      }
    }
  }
}
