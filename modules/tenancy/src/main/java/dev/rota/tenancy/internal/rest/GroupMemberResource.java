package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Problem;
import dev.rota.tenancy.internal.application.PartyService;
import dev.rota.tenancy.internal.domain.UserName;
import dev.rota.tenancy.internal.rest.AccessViews.UserView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Users who belong to a group of the tree (and through it to that group's bindings only). */
@Path("groups/{id}/members")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class GroupMemberResource {

  private static final String NOT_FOUND =
      "No such group that you can see (one you may not see answers the same), or no such user";

  @Inject PartyService parties;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "listGroupMembers",
      summary = "The group's direct members",
      description =
          "The users who belong to the group directly. Membership gives them the roles bound to"
              + " the group, and nothing else.")
  @Extension(name = "x-rota-problems", value = "404")
  public List<UserView> list(@PathParam("id") @Min(1) long groupId) {
    return parties.members(caller, groupId).stream().map(UserView::of).toList();
  }

  @PUT
  @Path("{user}")
  @Operation(
      operationId = "putGroupMember",
      summary = "Add a user to the group (admins of the group)",
      description = "Makes the user a member of the group; adding a member again changes nothing.")
  @APIResponse(responseCode = "204", description = "The user is a member")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NodeResource.FORBIDDEN)
  @Extension(name = "x-rota-problem-404", value = NOT_FOUND)
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response add(
      @PathParam("id") @Min(1) long groupId,
      @PathParam("user")
          @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          String user) {
    parties.addMember(caller, groupId, user);
    return Response.noContent().build();
  }

  @DELETE
  @Path("{user}")
  @Operation(
      operationId = "deleteGroupMember",
      summary = "Remove a user from the group (admins of the group)",
      description = "Ends the user's membership of the group, and with it the group's roles.")
  @APIResponse(responseCode = "204", description = "The user is not a member")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = NodeResource.FORBIDDEN)
  @Extension(name = "x-rota-problem-404", value = NOT_FOUND)
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response remove(
      @PathParam("id") @Min(1) long groupId,
      @PathParam("user")
          @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          String user) {
    parties.removeMember(caller, groupId, user);
    return Response.noContent().build();
  }
}
