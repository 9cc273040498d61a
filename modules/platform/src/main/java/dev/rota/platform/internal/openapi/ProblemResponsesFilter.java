package dev.rota.platform.internal.openapi;

import dev.rota.platform.Problem;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents on every operation the problem+json errors the platform may answer with, so that the
 * contract lists them without each resource repeating them. Resources document their own
 * domain-specific errors (a 409 for a stale parent, say), which this filter leaves as they are.
 */
public class ProblemResponsesFilter implements OASFilter {

  private static final Map<String, String> COMMON =
      Map.of(
          "400", "Malformed body or invalid fields; `violations` lists each offending field.",
          "401", "Missing, expired or untrusted bearer token.",
          "413", "Request body over the configured limit.",
          "415", "Unsupported Content-Type.",
          "500", "Unexpected failure; `instance` is the correlation id in the server log.");

  @Override
  public Operation filterOperation(Operation operation) {
    DeclaredProblems.apply(operation);
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      responses = OASFactory.createAPIResponses();
      operation.setResponses(responses);
    }
    for (Map.Entry<String, String> error : COMMON.entrySet()) {
      if (!responses.hasAPIResponse(error.getKey())) {
        responses.addAPIResponse(error.getKey(), problem(error.getValue()));
      }
    }
    RateLimitResponses.document(responses);
    return operation;
  }

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    ApiTags.declare(openAPI);
    FormatBounds.apply(openAPI);
    CursorParameters.apply(openAPI);
    StableOrder.apply(openAPI);
    if (openAPI.getComponents() == null) {
      openAPI.setComponents(OASFactory.createComponents());
    }
    RateLimitResponses.addComponents(openAPI.getComponents());
    if (openAPI.getComponents().getSchemas() == null
        || !openAPI.getComponents().getSchemas().containsKey("Problem")) {
      openAPI
          .getComponents()
          .addSchema(
              "Problem",
              OASFactory.createSchema()
                  .addType(Schema.SchemaType.OBJECT)
                  .description("RFC 9457 problem details")
                  .addProperty("type", string())
                  .addProperty("title", string())
                  .addProperty(
                      "status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                  .addProperty("detail", string())
                  .addProperty("instance", string())
                  .addProperty(
                      "violations",
                      OASFactory.createSchema()
                          .addType(Schema.SchemaType.ARRAY)
                          .items(
                              OASFactory.createSchema()
                                  .addType(Schema.SchemaType.OBJECT)
                                  .addProperty("field", string())
                                  .addProperty("message", string()))));
    }
  }

  private static Schema string() {
    return OASFactory.createSchema().addType(Schema.SchemaType.STRING);
  }

  static APIResponse problem(String description) {
    Content content =
        OASFactory.createContent()
            .addMediaType(
                Problem.MEDIA_TYPE,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem")));
    return OASFactory.createAPIResponse().description(description).content(content);
  }
}
