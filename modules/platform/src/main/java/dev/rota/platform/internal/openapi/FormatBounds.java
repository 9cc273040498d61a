package dev.rota.platform.internal.openapi;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * States the upper end of an integer whose lower end a resource bounded ({@code @Min(1)} on an id,
 * say) but whose upper end is only its format's: {@code maximum} 2<sup>31</sup>-1 for int32,
 * 2<sup>63</sup>-1 for int64. The server enforces exactly that bound already, since a larger value
 * does not parse, so the contract gains an explicit bound and no behaviour changes.
 */
final class FormatBounds {

  private static final BigDecimal INT32_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
  private static final BigDecimal INT64_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private FormatBounds() {}

  static void apply(OpenAPI openAPI) {
    List<Schema> schemas = new ArrayList<>();
    if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
      for (PathItem item : openAPI.getPaths().getPathItems().values()) {
        addParameters(item.getParameters(), schemas);
        if (item.getOperations() != null) {
          for (Operation operation : item.getOperations().values()) {
            addParameters(operation.getParameters(), schemas);
          }
        }
      }
    }
    if (openAPI.getComponents() != null && openAPI.getComponents().getSchemas() != null) {
      for (Schema schema : openAPI.getComponents().getSchemas().values()) {
        if (schema.getProperties() != null) {
          schemas.addAll(schema.getProperties().values());
        }
      }
    }
    schemas.forEach(FormatBounds::bound);
  }

  private static void addParameters(List<Parameter> parameters, List<Schema> schemas) {
    if (parameters != null) {
      parameters.stream().map(Parameter::getSchema).filter(s -> s != null).forEach(schemas::add);
    }
  }

  private static void bound(Schema schema) {
    if (schema.getType() == null
        || !schema.getType().contains(Schema.SchemaType.INTEGER)
        || schema.getMinimum() == null
        || schema.getMaximum() != null
        || schema.getExclusiveMaximum() != null) {
      return;
    }
    BigDecimal max = Map.of("int32", INT32_MAX, "int64", INT64_MAX).get(schema.getFormat());
    if (max != null) {
      schema.setMaximum(max);
    }
  }
}
