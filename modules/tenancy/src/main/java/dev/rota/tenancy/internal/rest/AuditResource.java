package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import dev.rota.tenancy.internal.application.AuditService;
import dev.rota.tenancy.internal.rest.AccessViews.AuditView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/nodes/{id}/audit}: who changed what at and below a node, newest first. */
@Path("nodes/{id}/audit")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  @Inject AuditService audit;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listNodeAudit",
      summary = "The audit trail of the node and its subtree (admins of the node)",
      description =
          "One page of the changes made at and below the node, newest first: who did what to"
              + " which entity, with the row before and after as JSON text.")
  @Extension(name = "x-rota-problems", value = "403 404")
  public Page<AuditView> list(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        audit.page(caller, nodeId, beforeId(Page.decode(cursor)), limit),
        limit,
        e -> String.valueOf(e.id()),
        AuditView::of);
  }

  private static Long beforeId(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      return Long.valueOf(cursor);
    } catch (NumberFormatException e) {
      throw new InvalidTenancyRequest("The cursor is not one this server handed out.");
    }
  }
}
