package dev.rota.storage.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.storage.internal.application.VolumeService;
import dev.rota.storage.internal.rest.VolumeWire.VolumeView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/nodes/{id}/volumes}: the volumes usable at a tenancy node. */
@Path("nodes/{id}/volumes")
@RequestScoped
@Tag(name = "Storage")
@Produces(MediaType.APPLICATION_JSON)
public class NodeVolumeResource {

  @Inject VolumeService volumes;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listNodeVolumes",
      summary = "List the volumes usable at a tenancy node",
      description =
          "Your own volumes and those of every group above the node: what a task submitted"
              + " there may mount once attached. Viewers of the node may read it.")
  @APIResponse(responseCode = "200", description = "The volumes, in id order")
  @Extension(name = "x-rota-problems", value = "404")
  public List<VolumeView> availableAt(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return volumes.availableAt(caller, id).stream().map(VolumeView::of).toList();
  }
}
