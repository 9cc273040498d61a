package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem.Violation;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Answers Bean Validation failures with 400 and one {@link Violation} per offending field, named
 * from the request's point of view ({@code name}, {@code limit}) rather than the Java method's.
 */
@Provider
public class ConstraintViolationMapper implements ExceptionMapper<ConstraintViolationException> {

  @Override
  public Response toResponse(ConstraintViolationException e) {
    List<Violation> violations =
        e.getConstraintViolations().stream()
            .map(v -> new Violation(field(v), v.getMessage()))
            .sorted(Comparator.comparing(Violation::field))
            .toList();
    String fields =
        String.join(", ", violations.stream().map(Violation::field).distinct().toList());
    return ProblemResponses.of(
        400,
        "invalid-request",
        "Invalid request",
        "The request has invalid fields: " + fields + ". See violations for each.",
        violations,
        Map.of(),
        e);
  }

  /**
   * Names the field from the request's point of view: a body's property path ({@code name}, {@code
   * nodes[2].label}) or, for a query or path parameter, the parameter's name.
   */
  static String field(ConstraintViolation<?> violation) {
    String parameter = null;
    List<String> properties = new ArrayList<>();
    for (Path.Node node : violation.getPropertyPath()) {
      if (node.getKind() == ElementKind.PARAMETER) {
        parameter = node.getName();
      } else if (node.getName() != null
          && (node.getKind() == ElementKind.PROPERTY
              || node.getKind() == ElementKind.CONTAINER_ELEMENT)) {
        properties.add(
            node.getIndex() == null
                ? node.getName()
                : node.getName() + "[" + node.getIndex() + "]");
      }
    }
    if (!properties.isEmpty()) {
      return String.join(".", properties);
    }
    return parameter != null ? parameter : "request";
  }
}
