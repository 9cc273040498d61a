package dev.rota.queue.internal.rest;

import dev.rota.queue.internal.application.PoolQueries;
import dev.rota.queue.internal.rest.QueueWire.PriorityClassView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The cluster's PriorityClasses as the queue mirrors them: what a task may name. */
@Path("priority-classes")
@RequestScoped
@Tag(name = "Queue")
@Produces(MediaType.APPLICATION_JSON)
public class PriorityClassResource {

  @Inject PoolQueries pools;

  @GET
  @Operation(
      operationId = "listPriorityClasses",
      summary = "List the cluster's PriorityClasses (every signed-in user)",
      description =
          "The PriorityClasses a task may name, highest value first, as the queue mirrors them"
              + " from the cluster; the globalDefault one applies to a task that names none.")
  @APIResponse(responseCode = "200", description = "The classes, highest value first")
  public List<PriorityClassView> list() {
    return pools.priorityClasses().stream().map(PriorityClassView::of).toList();
  }
}
