package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Problem;
import dev.rota.tenancy.internal.application.PoolQuotaService;
import dev.rota.tenancy.internal.persistence.PoolQuotaRepository.PoolQuotaRow;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A node's GPU quota per node pool, below its totals ({@code PUT /nodes/{id}/quota}). */
@Path("nodes/{id}/quota/pools")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class PoolQuotaResource {

  /** A node-pool name, as storage's pool roots spell it. */
  static final String POOL_NAME = "[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?";

  static final String POOL_NAME_RULE = "must be a pool name: up to 63 of a-z, 0-9, '.' and '-'";

  private static final String CONFLICT =
      "The quota breaks a rule (`constraint` names it): pool guarantees above the node's total,"
          + " a pool limit above its total limit, or children's pool guarantees above the node's";

  @Inject PoolQuotaService quotas;
  @Inject Caller caller;

  /** A node's guarantee and limit in one pool. */
  public record PoolQuotaView(String pool, int guaranteedGpus, Integer gpuLimit) {
    static PoolQuotaView of(PoolQuotaRow row) {
      return new PoolQuotaView(row.pool(), row.guaranteedGpus(), row.gpuLimit());
    }
  }

  /** The guarantee and limit to set in a pool; no limit means the node's total limit applies. */
  public record PoolQuotaRequest(
      @NotNull @Min(0) @Max(NodeRequests.MAX_GPUS) Integer guaranteedGpus,
      @Min(0) @Max(NodeRequests.MAX_GPUS) @Schema(description = "none: the node's total limit")
          Integer gpuLimit) {}

  @GET
  @Operation(
      operationId = "listNodePoolQuotas",
      summary = "The node's quota rows per pool (pools without a row: its totals apply)",
      description =
          "The node's GPU guarantee and limit in each node pool where it has its own; in every"
              + " other pool its totals (`updateNodeQuota`) apply.")
  @Extension(name = "x-rota-problems", value = "404")
  public List<PoolQuotaView> list(@PathParam("id") @Min(1) long nodeId) {
    return quotas.list(caller, nodeId).stream().map(PoolQuotaView::of).toList();
  }

  @PUT
  @Path("{pool}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "putNodePoolQuota",
      summary = "Set the node's guarantee and limit in a pool (administrators of the parent)",
      description =
          "Creates or replaces the node's quota in one pool. The database keeps the node's pool"
              + " guarantees within its total and its children's within its own.")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  public PoolQuotaView put(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("pool") @Size(max = 63) @Pattern(regexp = POOL_NAME, message = POOL_NAME_RULE)
          String pool,
      @Valid @NotNull PoolQuotaRequest request) {
    return PoolQuotaView.of(
        quotas.put(caller, nodeId, pool, request.guaranteedGpus(), request.gpuLimit()));
  }

  @DELETE
  @Path("{pool}")
  @Operation(
      operationId = "deleteNodePoolQuota",
      summary = "Remove the node's quota row for a pool; its totals apply there again",
      description =
          "Removes the node's own quota in the pool. A 404 also answers a node without a quota"
              + " in that pool.")
  @APIResponse(responseCode = "204", description = "Removed")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = NodeResource.FORBIDDEN)
  @Extension(name = "x-rota-problem-409", value = CONFLICT)
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response delete(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("pool") @Size(max = 63) @Pattern(regexp = POOL_NAME, message = POOL_NAME_RULE)
          String pool) {
    quotas.delete(caller, nodeId, pool);
    return Response.noContent().build();
  }
}
