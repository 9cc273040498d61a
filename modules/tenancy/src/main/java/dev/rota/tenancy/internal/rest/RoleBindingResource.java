package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.application.RoleService;
import dev.rota.tenancy.internal.application.RoleService.PartyRef;
import dev.rota.tenancy.internal.rest.AccessViews.BindRole;
import dev.rota.tenancy.internal.rest.AccessViews.Grant;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Roles at a node: the bindings made there, and every user's effective role. */
@Path("nodes/{id}/members")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class RoleBindingResource {

  @Inject RoleService roles;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listNodeMembers",
      summary = "Members of the node: view=direct (bindings here) or effective (inherited too)")
  public List<Grant> list(
      @PathParam("id") long nodeId,
      @QueryParam("view") @DefaultValue("direct") @Pattern(regexp = "direct|effective")
          String view) {
    var grants =
        view.equals("direct") ? roles.direct(caller, nodeId) : roles.effective(caller, nodeId);
    return grants.stream().map(Grant::of).toList();
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "putNodeMember",
      summary = "Bind a role to a user or a group at the node (admins; owner needs owner)")
  public Response bind(@PathParam("id") long nodeId, @Valid @NotNull BindRole request) {
    roles.bind(
        caller,
        nodeId,
        new PartyRef(request.user(), request.group()),
        Role.fromSql(request.role()));
    return Response.noContent().build();
  }

  @DELETE
  @Operation(
      operationId = "deleteNodeMember",
      summary = "Remove the binding of a user or a group at the node")
  public Response unbind(
      @PathParam("id") long nodeId,
      @QueryParam("user") String user,
      @QueryParam("group") String group) {
    roles.unbind(caller, nodeId, new PartyRef(user, group));
    return Response.noContent().build();
  }
}
