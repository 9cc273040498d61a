package dev.rota.storage.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.platform.Problem;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** hostPath volumes owned by a user or a group, and their attachment to projects. */
@Path("volumes")
@RequestScoped
@Tag(name = "Storage")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class VolumeResource {

  private static final String NOT_MANAGER =
      "You can see the volume but do not manage its owner: yourself, or a group you administer";

  @Inject VolumeService volumes;
  @Inject VolumeReconciler reconciler;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createVolume",
      summary = "Create a hostPath volume for yourself, or for a group you administer",
      description =
          "A volume is a directory on the nodes its nodeAffinity selects, all of them in its pool"
              + " and the path below the pool's allowed root. Rota applies a PersistentVolume for"
              + " it; attaching it to a project adds a claim bound to exactly that volume.")
  @APIResponse(
      responseCode = "201",
      description = "The volume; Location names it",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = VolumeView.class),
              examples = @ExampleObject(name = "created", value = VolumeWire.VIEW_EXAMPLE)))
  @Extension(name = "x-rota-problems", value = "403 404 409 422")
  @Extension(
      name = "x-rota-problem-403",
      value = "The owner is a group you do not administer, or another user")
  @Extension(name = "x-rota-problem-404", value = "No group with this path that you can see")
  @Extension(
      name = "x-rota-problem-409",
      value = "You (or the group) already own a volume of this name")
  @Extension(
      name = "x-rota-problem-422",
      value = "The selected nodes or the path lie outside the volume's pool or its allowed root")
  public Response create(
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = CreateVolume.class),
                      examples =
                          @ExampleObject(
                              name = "datasets",
                              summary = "A 500 GiB dataset volume on two nodes of pool-a",
                              value = VolumeWire.CREATE_EXAMPLE)))
          @Valid
          @NotNull
          CreateVolume request) {
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
  @Operation(
      operationId = "listVolumes",
      summary = "List the volumes you or your groups own",
      description =
          "Your own volumes and those of every group you are a member of, in id order, a page at"
              + " a time: pass nextCursor back as cursor for the next page.")
  @APIResponse(responseCode = "200", description = "One page of volumes")
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
  @Operation(
      operationId = "getVolume",
      summary = "Get a volume",
      description =
          "The volume with its attachment and whether its PersistentVolume and claim are applied"
              + " (sync).")
  @APIResponse(responseCode = "200", description = "The volume")
  @Extension(name = "x-rota-problems", value = "404")
  public VolumeView get(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return VolumeView.of(volumes.get(caller, id)).with(reconciler.syncState(id));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteVolume",
      summary = "Delete a volume",
      description =
          "Removes the volume and, asynchronously, its PersistentVolume; the data on the nodes"
              + " stays. An attached volume is refused with 409: detach it first.")
  @APIResponse(responseCode = "204", description = "Deleted")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = NOT_MANAGER)
  @Extension(name = "x-rota-problem-409", value = "The volume is attached; detach it first")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response delete(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    volumes.delete(caller, id);
    return Response.noContent().build();
  }

  @POST
  @Path("{id}/attachments")
  @Operation(
      operationId = "attachVolume",
      summary = "Attach a volume to a project or subproject",
      description =
          "Adds a PersistentVolumeClaim bound to exactly this volume's PersistentVolume in the"
              + " node's namespace, so tasks submitted there may mount it. You must manage the"
              + " volume and be a member of the node; a user's volume attaches only where that"
              + " user is a member. A volume is attached at one node at a time.")
  @APIResponse(
      responseCode = "200",
      description = "The volume, now attached",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = VolumeView.class)))
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(
      name = "x-rota-problem-403",
      value =
          "You do not manage the volume, are no member of the node, or the owning user is no"
              + " member there")
  @Extension(
      name = "x-rota-problem-404",
      value = "No volume, or no node, with this id that you can see")
  @Extension(name = "x-rota-problem-409", value = "The volume is already attached")
  public VolumeView attach(
      @PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = Attach.class),
                      examples =
                          @ExampleObject(
                              name = "project",
                              summary = "Attach to project 42",
                              value = "{\"nodeId\": 42}")))
          @Valid
          @NotNull
          Attach request) {
    return VolumeView.of(volumes.attach(caller, id, request.nodeId()));
  }

  @DELETE
  @Path("{id}/attachments/{nodeId}")
  @Operation(
      operationId = "detachVolume",
      summary = "Detach a volume from a node",
      description =
          "Removes the volume's claim from the node's namespace (asynchronously). A volume not"
              + " attached at that node answers 404.")
  @APIResponse(responseCode = "204", description = "Detached")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NOT_MANAGER)
  @Extension(
      name = "x-rota-problem-404",
      value = "No volume with this id that you can see, or it is not attached at this node")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response detach(
      @PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id,
      @PathParam("nodeId") @Min(1) @Max(Long.MAX_VALUE) long nodeId) {
    volumes.detach(caller, id, nodeId);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/manifests")
  @Produces("application/yaml")
  @Operation(
      operationId = "getVolumeManifests",
      summary = "Get the Kubernetes manifests of a volume as YAML",
      description =
          "The PersistentVolume Rota applies for the volume and, when it is attached, its"
              + " PersistentVolumeClaim: what to review before handing a path to a cluster.")
  @APIResponse(
      responseCode = "200",
      description = "The manifests as a YAML stream",
      content =
          @Content(mediaType = "application/yaml", schema = @Schema(type = SchemaType.STRING)))
  @Extension(name = "x-rota-problems", value = "404")
  public String manifests(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
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
