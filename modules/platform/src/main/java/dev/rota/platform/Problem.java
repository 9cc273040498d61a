package dev.rota.platform;

import dev.rota.platform.internal.problem.ProblemSerializer;
import jakarta.json.bind.annotation.JsonbTypeSerializer;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem details body, the only shape in which Rota reports a failure.
 *
 * @param type URI naming the problem type
 * @param title short summary of the problem type
 * @param status the HTTP status code
 * @param detail what went wrong in this occurrence and what to do about it
 * @param instance {@code urn:uuid} of this occurrence, also written to the server log
 * @param violations for invalid input, each offending field and why
 * @param extensions further members specific to the problem type (for example the conflicting
 *     constraint), written as top-level members as RFC 9457 §3.2 asks
 */
@Schema(
    name = "Problem",
    description =
        "RFC 9457 problem details. Some problem types add members of their own, such as"
            + " `constraint` on a conflict.")
@JsonbTypeSerializer(ProblemSerializer.class)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    List<Violation> violations,
    @Schema(hidden = true) Map<String, Object> extensions) {

  /** Media type of every error response. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** Base of every problem type URI. */
  public static final String TYPE_BASE = "https://rota.dev/problems/";

  /**
   * One invalid field of a request.
   *
   * @param field where in the request, for example {@code body.name} or {@code query.limit}
   * @param message why the value was refused
   */
  @Schema(name = "Violation")
  public record Violation(String field, String message) {}
}
