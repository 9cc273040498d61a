package dev.rota.queue.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.queue.internal.application.PoolQueries;
import dev.rota.queue.internal.rest.QueueWire.PoolView;
import dev.rota.queue.internal.rest.QueueWire.QueueEntryView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The GPU pools: their nodes, free GPUs and queues, for platform administrators and anyone holding
 * a role somewhere.
 */
@Path("pools")
@RequestScoped
@Tag(name = "Queue")
@Produces(MediaType.APPLICATION_JSON)
public class PoolResource {

  static final String POOL = "[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?";

  private static final String NO_ROLE =
      "The caller holds no role anywhere and is no platform administrator";

  @Inject PoolQueries pools;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listPools",
      summary =
          "Every GPU pool with its nodes, free GPUs and queue depth (platform administrators and"
              + " anyone holding a role somewhere)",
      description =
          "The pools as the queue sees the cluster now: each node's allocatable, held and free"
              + " GPUs, whether it is Ready and schedulable, and how many tasks wait per"
              + " PriorityClass.")
  @APIResponse(responseCode = "200", description = "The pools in name order")
  @Extension(name = "x-rota-problems", value = "403")
  @Extension(name = "x-rota-problem-403", value = NO_ROLE)
  public List<PoolView> list() {
    return pools.pools(caller).stream().map(PoolView::of).toList();
  }

  @GET
  @Path("{pool}/queue")
  @Operation(
      operationId = "getPoolQueue",
      summary = "A pool's pending tasks in admission order, with their 1-based positions",
      description =
          "Tasks of nodes the caller cannot see show only position, priority and size. The"
              + " cursor resumes after the last position shown; as tasks are admitted meanwhile,"
              + " the rest moves up.")
  @APIResponse(responseCode = "200", description = "One page of the queue")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NO_ROLE)
  @Extension(name = "x-rota-problem-404", value = "No GPU pool of this name in the cluster")
  public Page<QueueEntryView> queue(
      @PathParam("pool") @Size(max = 63) @Pattern(regexp = POOL, message = "must be a pool name")
          String pool,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    String after = Page.decode(cursor);
    return Page.of(
        pools.queue(caller, pool, after == null ? 0 : Cursors.number(after), limit + 1),
        limit,
        e -> String.valueOf(e.position()),
        QueueEntryView::of);
  }
}
