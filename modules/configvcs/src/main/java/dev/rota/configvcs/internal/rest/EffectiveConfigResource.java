package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.EffectiveConfigService;
import dev.rota.configvcs.internal.rest.ConfigWire.EffectiveView;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/nodes/{id}/config/effective}: the configuration a node inherits and sets. */
@Path("nodes/{id}/config/effective")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class EffectiveConfigResource {

  @Inject EffectiveConfigService effective;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "getEffectiveConfig",
      summary =
          "The deep merge of the main heads of the root, every ancestor and the node"
              + " (the node winning; null removes an inherited key), with the node each leaf came from",
      description =
          "What the node's workloads get: for each document path, the deep merge of the main"
              + " heads from the root down to the node, and for each leaf (by JSON Pointer) the id"
              + " of the node it came from.")
  @Extension(name = "x-rota-problems", value = "404")
  public EffectiveView get(@PathParam("id") @Min(1) long nodeId) {
    return EffectiveView.of(effective.of(caller, nodeId));
  }
}
