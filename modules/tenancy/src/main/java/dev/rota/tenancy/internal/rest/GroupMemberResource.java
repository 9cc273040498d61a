package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.tenancy.internal.application.PartyService;
import dev.rota.tenancy.internal.rest.AccessViews.UserView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Users who belong to a group of the tree (and through it to that group's bindings only). */
@Path("groups/{id}/members")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
public class GroupMemberResource {

  @Inject PartyService parties;
  @Inject Caller caller;

  @GET
  @Operation(operationId = "listGroupMembers", summary = "The group's direct members")
  public List<UserView> list(@PathParam("id") long groupId) {
    return parties.members(caller, groupId).stream().map(UserView::of).toList();
  }

  @PUT
  @Path("{user}")
  @Operation(
      operationId = "putGroupMember",
      summary = "Add a user to the group (admins of the group)")
  public Response add(@PathParam("id") long groupId, @PathParam("user") String user) {
    parties.addMember(caller, groupId, user);
    return Response.noContent().build();
  }

  @DELETE
  @Path("{user}")
  @Operation(
      operationId = "deleteGroupMember",
      summary = "Remove a user from the group (admins of the group)")
  public Response remove(@PathParam("id") long groupId, @PathParam("user") String user) {
    parties.removeMember(caller, groupId, user);
    return Response.noContent().build();
  }
}
