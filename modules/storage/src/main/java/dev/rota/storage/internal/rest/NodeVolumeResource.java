package dev.rota.storage.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.storage.internal.application.VolumeService;
import dev.rota.storage.internal.rest.VolumeWire.VolumeView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
      summary = "Volumes usable at a tenancy node: yours and those of every group above it")
  public List<VolumeView> availableAt(@PathParam("id") long nodeId) {
    return volumes.availableAt(caller, nodeId).stream().map(VolumeView::of).toList();
  }
}
