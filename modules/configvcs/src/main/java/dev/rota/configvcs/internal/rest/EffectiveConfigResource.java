package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.EffectiveConfigService;
import dev.rota.configvcs.internal.rest.ConfigWire.EffectiveView;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
              + " (the node winning; null removes an inherited key), with the node each leaf came from")
  public EffectiveView get(@PathParam("id") long nodeId) {
    return EffectiveView.of(effective.of(caller, nodeId));
  }
}
