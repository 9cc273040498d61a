package dev.rota.storage.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.storage.StorageException.InvalidVolume;
import dev.rota.storage.internal.application.VolumeReconciler;
import dev.rota.storage.internal.application.VolumeService;
import dev.rota.storage.internal.application.VolumeService.NewVolume;
import dev.rota.storage.internal.domain.HostPath;
import dev.rota.storage.internal.domain.NodeAffinity;
import dev.rota.storage.internal.persistence.VolumeRow;
import dev.rota.storage.internal.rest.VolumeWire.Attach;
import dev.rota.storage.internal.rest.VolumeWire.CreateVolume;
import dev.rota.storage.internal.rest.VolumeWire.VolumeView;
import io.fabric8.kubernetes.api.model.Quantity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** hostPath volumes owned by a user or a group, and their attachment to projects. */
@Path("volumes")
@RequestScoped
@Tag(name = "Storage")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class VolumeResource {

  @Inject VolumeService volumes;
  @Inject VolumeReconciler reconciler;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createVolume",
      summary = "Create a hostPath volume for yourself, or for a group you administer")
  public Response create(@Valid @NotNull CreateVolume request) {
    VolumeRow volume =
        volumes.create(
            caller,
            new NewVolume(
                request.name(),
                request.ownerUser(),
                request.ownerGroup(),
                request.pool(),
                HostPath.parse(request.hostPath()),
                bytes(request.capacity()),
                request.accessMode(),
                NodeAffinity.parse(request.nodeAffinity())));
    return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(volume.id())).build())
        .entity(VolumeView.of(volume))
        .build();
  }

  @GET
  @Operation(operationId = "listVolumes", summary = "The volumes you own or your groups own")
  public Page<VolumeView> list(
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    String after = Page.decode(cursor);
    return Page.of(
        volumes.list(caller, after == null ? null : parseCursor(after), limit),
        limit,
        v -> String.valueOf(v.id()),
        VolumeView::of);
  }

  @GET
  @Path("{id}")
  @Operation(operationId = "getVolume", summary = "A volume")
  public VolumeView get(@PathParam("id") long id) {
    return VolumeView.of(volumes.get(caller, id)).with(reconciler.syncState(id));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteVolume",
      summary = "Delete a volume; an attached one is refused with 409")
  public Response delete(@PathParam("id") long id) {
    volumes.delete(caller, id);
    return Response.noContent().build();
  }

  @POST
  @Path("{id}/attachments")
  @Operation(
      operationId = "attachVolume",
      summary = "Attach the volume to a project or subproject: a PVC bound to exactly its PV")
  public VolumeView attach(@PathParam("id") long id, @Valid @NotNull Attach request) {
    return VolumeView.of(volumes.attach(caller, id, request.nodeId()));
  }

  @DELETE
  @Path("{id}/attachments/{nodeId}")
  @Operation(operationId = "detachVolume", summary = "Detach the volume from the node")
  public Response detach(@PathParam("id") long id, @PathParam("nodeId") long nodeId) {
    volumes.detach(caller, id, nodeId);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/manifests")
  @Produces("application/yaml")
  @Operation(
      operationId = "getVolumeManifests",
      summary = "The PersistentVolume (and claim, if attached) Rota applies, as YAML")
  public String manifests(@PathParam("id") long id) {
    return volumes.manifests(caller, id);
  }

  private static long bytes(String capacity) {
    try {
      BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(capacity));
      if (bytes.signum() <= 0) {
        throw new InvalidVolume("capacity must be positive, e.g. 500Gi.");
      }
      return bytes.longValueExact();
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new InvalidVolume(
          "capacity '" + capacity + "' is not a Kubernetes quantity such as 500Gi.");
    }
  }

  private static long parseCursor(String cursor) {
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw new Page.InvalidCursor();
    }
  }
}
