package dev.rota.platform.internal.openapi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Extensible;
import org.eclipse.microprofile.openapi.models.Operation;

/**
 * Turns an operation's {@code @Extension(name = "x-rota-problems", value = "403 404 409")} into
 * problem+json responses with Rota's standard description of each status; an operation words one of
 * them for itself with {@code @Extension(name = "x-rota-problem-409", value = "The volume is
 * attached; detach it first")}. Resources declare their errors this way rather than with
 * {@code @APIResponse}, because any {@code @APIResponse} on a method stops MicroProfile OpenAPI
 * from deriving the success response from the return type (which for {@code Page<NodeView>} no
 * annotation can name), and because the problem+json content is then written once, here. An
 * explicit {@code @APIResponse} for the same status wins: the filter only adds what is missing.
 */
final class DeclaredProblems {

  static final String EXTENSION = "x-rota-problems";

  /** Followed by a status: that status's description for this operation. */
  static final String WORDING = "x-rota-problem-";

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
    Map<String, Object> extensions = operation.getExtensions();
    if (extensions == null || !extensions.containsKey(EXTENSION)) {
      if (extensions != null && extensions.keySet().stream().anyMatch(DeclaredProblems::ours)) {
        throw new IllegalArgumentException(
            operation.getOperationId() + " words a problem but lists none in " + EXTENSION);
      }
      return;
    }
    String codes = String.valueOf(extensions.get(EXTENSION));
    Map<String, String> wording = new HashMap<>();
    extensions.forEach(
        (name, value) -> {
          if (name.startsWith(WORDING)) {
            wording.put(name.substring(WORDING.length()), String.valueOf(value));
          }
        });
    scrub(operation);
    if (operation.getResponses() == null) {
      operation.setResponses(OASFactory.createAPIResponses());
    }
    List<String> declared = List.of(codes.trim().split("[\\s,]+"));
    for (String code : declared) {
      String description = wording.getOrDefault(code, DESCRIPTIONS.get(code));
      if (description == null) {
        throw new IllegalArgumentException(
            EXTENSION
                + " of "
                + operation.getOperationId()
                + " names "
                + code
                + ", which has no standard description; word it with "
                + WORDING
                + code);
      }
      if (!operation.getResponses().hasAPIResponse(code)) {
        operation.getResponses().addAPIResponse(code, ProblemResponsesFilter.problem(description));
      }
    }
    for (String code : wording.keySet()) {
      if (!declared.contains(code)) {
        throw new IllegalArgumentException(
            operation.getOperationId() + " words " + code + ", which " + EXTENSION + " lacks");
      }
    }
  }

  private static boolean ours(String extension) {
    return extension.equals(EXTENSION) || extension.startsWith(WORDING);
  }

  /** MicroProfile OpenAPI also copies a method's extensions onto its request body and responses. */
  private static void scrub(Operation operation) {
    List<Extensible<?>> holders = new ArrayList<>();
    holders.add(operation);
    holders.add(operation.getRequestBody());
    if (operation.getResponses() != null) {
      holders.add(operation.getResponses());
      if (operation.getResponses().getAPIResponses() != null) {
        holders.addAll(operation.getResponses().getAPIResponses().values());
      }
    }
    if (operation.getParameters() != null) {
      holders.addAll(operation.getParameters());
    }
    for (Extensible<?> holder : holders) {
      if (holder != null && holder.getExtensions() != null) {
        List.copyOf(holder.getExtensions().keySet()).stream()
            .filter(DeclaredProblems::ours)
            .forEach(holder::removeExtension);
      }
    }
  }
}
