package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Problem;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.application.RoleService;
import dev.rota.tenancy.internal.application.RoleService.PartyRef;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.domain.UserName;
import dev.rota.tenancy.internal.rest.AccessViews.BindRole;
import dev.rota.tenancy.internal.rest.AccessViews.Grant;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
      summary = "Members of the node: view=direct (bindings here) or effective (inherited too)",
      description =
          "With `view=direct`, the roles bound at this node to users and groups; with"
              + " `view=effective`, every user's highest role here, inherited from above and"
              + " through groups included.")
  @Extension(name = "x-rota-problems", value = "404")
  public List<Grant> list(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("view")
          @DefaultValue("direct")
          @Pattern(regexp = "direct|effective")
          @Parameter(schema = @Schema(enumeration = {"direct", "effective"}))
          String view) {
    var grants =
        view.equals("direct") ? roles.direct(caller, nodeId) : roles.effective(caller, nodeId);
    return grants.stream().map(Grant::of).toList();
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "putNodeMember",
      summary = "Bind a role to a user or a group at the node (admins; owner needs owner)",
      description =
          "Binds `role` at this node to exactly one of `user` or `group`, replacing its binding"
              + " here. The role holds at every node below too. Granting or changing an owner"
              + " takes an owner.")
  @APIResponse(responseCode = "204", description = "Bound")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NodeResource.FORBIDDEN)
  @Extension(
      name = "x-rota-problem-404",
      value = NodeResource.NOT_FOUND + "; or no such user or group")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response bind(@PathParam("id") @Min(1) long nodeId, @Valid @NotNull BindRole request) {
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
      summary = "Remove the binding of a user or a group at the node",
      description =
          "Removes the role bound at this node to the user or group named by exactly one of the"
              + " `user` and `group` parameters. Removing an owner takes an owner.")
  @APIResponse(responseCode = "204", description = "No binding left")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NodeResource.FORBIDDEN)
  @Extension(
      name = "x-rota-problem-404",
      value = NodeResource.NOT_FOUND + "; or no such user or group")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response unbind(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("user")
          @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          String user,
      @QueryParam("group")
          @Size(max = NodeLabel.MAX_PATH_LENGTH)
          @Pattern(regexp = NodeLabel.PATH_PATTERN, message = NodeLabel.PATH_RULE)
          String group) {
    roles.unbind(caller, nodeId, new PartyRef(user, group));
    return Response.noContent().build();
  }
}
