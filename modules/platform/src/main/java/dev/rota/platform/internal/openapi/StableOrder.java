package dev.rota.platform.internal.openapi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Puts the served document in one order, whatever order classes were scanned or filters added
 * entries in, so that the committed {@code docs/openapi.yaml} compares equal text to text: paths
 * sorted, and each operation's responses by status code.
 */
final class StableOrder {

  private StableOrder() {}

  static void apply(OpenAPI openAPI) {
    if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
      return;
    }
    Map<String, PathItem> sorted = new TreeMap<>(openAPI.getPaths().getPathItems());
    openAPI.getPaths().setPathItems(new LinkedHashMap<>(sorted));
    for (PathItem item : sorted.values()) {
      if (item.getOperations() == null) {
        continue;
      }
      for (Operation operation : item.getOperations().values()) {
        APIResponses responses = operation.getResponses();
        if (responses != null && responses.getAPIResponses() != null) {
          responses.setAPIResponses(
              new LinkedHashMap<>(new TreeMap<>(responses.getAPIResponses())));
        }
      }
    }
  }
}
