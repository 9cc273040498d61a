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
import jakarta.validation.constraints.Size;
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
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
      summary = "List the allowed hostPath root of each node pool",
      description =
          "Every node pool with an allowed root: volumes of a pool live below its root. Platform"
              + " administrators and anyone who is a member of some project or group may read"
              + " them.")
  @APIResponse(responseCode = "200", description = "The pools' roots, in pool name order")
  @Extension(name = "x-rota-problems", value = "403")
  @Extension(
      name = "x-rota-problem-403",
      value = "The caller is a member nowhere and no platform administrator")
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
          "Volumes of the pool must lie below the root. A root that is, holds or lies under a"
              + " system path is refused with 422; so is a pool the cluster has no node of, unless"
              + " allowUnknown=true says the nodes join later.")
  @APIResponse(responseCode = "200", description = "The pool's root as now set")
  @Extension(name = "x-rota-problems", value = "403 422")
  @Extension(name = "x-rota-problem-403", value = "The caller is no platform administrator")
  @Extension(
      name = "x-rota-problem-422",
      value = "A system path, or a pool without nodes and allowUnknown=false")
  public PoolRootView setRoot(
      @PathParam("pool")
          @Size(max = 63)
          @Pattern(
              regexp = VolumeWire.POOL,
              message = "must be a node pool name (a DNS label, at most 63)")
          String pool,
      @Parameter(description = "Accept a pool the cluster has no node of yet")
          @QueryParam("allowUnknown")
          @DefaultValue("false")
          boolean allowUnknown,
      @Valid @NotNull PoolRoot request) {
    volumes.setPoolRoot(caller, pool, HostPath.parse(request.root()), allowUnknown);
    return new PoolRootView(pool, request.root());
  }

  @GET
  @Path("cluster-nodes/{name}/volumes")
  @Operation(
      operationId = "listClusterNodeVolumes",
      summary = "List the volumes pinned to a cluster node (platform administrators)",
      description =
          "The volumes whose node affinity matched the Kubernetes node of this name when they"
              + " were created: what a node's maintenance or removal affects.")
  @APIResponse(responseCode = "200", description = "The node's volumes, in id order")
  @Extension(name = "x-rota-problems", value = "403")
  @Extension(name = "x-rota-problem-403", value = "The caller is no platform administrator")
  public List<VolumeView> pinned(
      @Parameter(description = "The Kubernetes node's name", example = "gpu-node-01")
          @PathParam("name")
          @Size(max = 253)
          @Pattern(
              regexp = VolumeWire.NODE_NAME,
              message = "must be a Kubernetes node name (a DNS subdomain, at most 253)")
          String name) {
    return volumes.pinnedTo(caller, name).stream().map(VolumeView::of).toList();
  }
}
