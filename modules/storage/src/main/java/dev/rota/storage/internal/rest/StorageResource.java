package dev.rota.storage.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.storage.internal.application.VolumeService;
import dev.rota.storage.internal.domain.HostPath;
import dev.rota.storage.internal.rest.VolumeWire.PoolRoot;
import dev.rota.storage.internal.rest.VolumeWire.PoolRootView;
import dev.rota.storage.internal.rest.VolumeWire.VolumeView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Storage seen from the infrastructure: the pools' allowed roots, and volumes by cluster node. */
@Path("storage")
@RequestScoped
@Tag(name = "Storage")
@Produces(MediaType.APPLICATION_JSON)
public class StorageResource {

  @Inject VolumeService volumes;
  @Inject Caller caller;

  @GET
  @Path("pools")
  @Operation(
      operationId = "listPoolRoots",
      summary =
          "The allowed hostPath root of each node pool (platform administrators, and members of"
              + " a project or group)")
  public List<PoolRootView> roots() {
    return volumes.poolRoots(caller).stream().map(r -> new PoolRootView(r[0], r[1])).toList();
  }

  @PUT
  @Path("pools/{pool}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "updatePoolRoot",
      summary = "Set a pool's allowed hostPath root (platform administrators)",
      description =
          "A pool the cluster has no node of is refused with 422 unless allowUnknown=true.")
  public PoolRootView setRoot(
      @PathParam("pool")
          @Pattern(
              regexp = VolumeWire.POOL,
              message = "must be a node pool name (a DNS label, at most 63)")
          String pool,
      @QueryParam("allowUnknown") @DefaultValue("false") boolean allowUnknown,
      @Valid @NotNull PoolRoot request) {
    volumes.setPoolRoot(caller, pool, HostPath.parse(request.root()), allowUnknown);
    return new PoolRootView(pool, request.root());
  }

  @GET
  @Path("cluster-nodes/{name}/volumes")
  @Operation(
      operationId = "listClusterNodeVolumes",
      summary = "Volumes pinned to a cluster node by hostname (platform administrators)")
  public List<VolumeView> pinned(@PathParam("name") String nodeName) {
    return volumes.pinnedTo(caller, nodeName).stream().map(VolumeView::of).toList();
  }
}
