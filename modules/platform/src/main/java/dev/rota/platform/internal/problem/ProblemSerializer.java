package dev.rota.platform.internal.problem;

import dev.rota.platform.Problem;
import jakarta.json.bind.serializer.JsonbSerializer;
import jakarta.json.bind.serializer.SerializationContext;
import jakarta.json.stream.JsonGenerator;
import java.util.Map;

/** Writes a {@link Problem} with its extension members at the top level, as RFC 9457 defines. */
public class ProblemSerializer implements JsonbSerializer<Problem> {

  @Override
  public void serialize(Problem problem, JsonGenerator out, SerializationContext context) {
    out.writeStartObject();
    out.write("type", problem.type());
    out.write("title", problem.title());
    out.write("status", problem.status());
    if (problem.detail() != null) {
      out.write("detail", problem.detail());
    }
    out.write("instance", problem.instance());
    if (problem.violations() != null && !problem.violations().isEmpty()) {
      context.serialize("violations", problem.violations(), out);
    }
    if (problem.extensions() != null) {
      for (Map.Entry<String, Object> member : problem.extensions().entrySet()) {
        context.serialize(member.getKey(), member.getValue(), out);
      }
    }
    out.writeEnd();
  }
}
