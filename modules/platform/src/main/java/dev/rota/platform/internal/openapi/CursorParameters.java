package dev.rota.platform.internal.openapi;

import dev.rota.platform.Page;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Describes every {@code cursor} query parameter once, with the length and form that {@link
 * Page#decode} enforces for every list (400 {@code invalid-cursor} otherwise), so that no resource
 * repeats them and none can state them differently.
 */
final class CursorParameters {

  private CursorParameters() {}

  static void apply(OpenAPI openAPI) {
    if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
      return;
    }
    for (PathItem item : openAPI.getPaths().getPathItems().values()) {
      if (item.getOperations() == null) {
        continue;
      }
      for (Operation operation : item.getOperations().values()) {
        if (operation.getParameters() == null) {
          continue;
        }
        for (Parameter parameter : operation.getParameters()) {
          if (parameter.getIn() == Parameter.In.QUERY
              && "cursor".equals(parameter.getName())
              && parameter.getSchema() != null
              && parameter.getSchema().getType() != null
              && parameter.getSchema().getType().contains(Schema.SchemaType.STRING)) {
            describe(parameter);
          }
        }
      }
    }
  }

  private static void describe(Parameter parameter) {
    if (parameter.getDescription() == null) {
      parameter.setDescription(
          "The `nextCursor` of the previous page, unchanged; omitted for the first page");
    }
    Schema schema = parameter.getSchema();
    if (schema.getMaxLength() == null) {
      schema.setMaxLength(Page.MAX_CURSOR_LENGTH);
    }
    if (schema.getPattern() == null) {
      schema.setPattern(Page.CURSOR_PATTERN);
    }
  }
}
