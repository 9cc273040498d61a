package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.tenancy.internal.application.RoleService;
import dev.rota.tenancy.internal.persistence.NodeRow;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/me/nodes}: every node the caller holds a role at. */
@Path("me/nodes")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class MyNodesResource {

  @Inject RoleService roles;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listMyNodes",
      summary = "Every node the caller can see, in path order",
      description =
          "One page of the nodes where the caller holds a role, directly or through a group, and"
              + " of every node below them, in path order.")
  public Page<NodeView> list(
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        roles.visibleNodes(caller, Page.decode(cursor), limit), limit, NodeRow::path, NodeView::of);
  }
}
