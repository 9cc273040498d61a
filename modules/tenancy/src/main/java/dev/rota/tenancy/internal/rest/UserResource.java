package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.tenancy.internal.application.PartyService;
import dev.rota.tenancy.internal.domain.UserName;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.rest.AccessViews.CreateUser;
import dev.rota.tenancy.internal.rest.AccessViews.UserView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Users: parties that sign in with a token whose name matches. */
@Path("users")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

  private static final String ADMINS_ONLY = "Only platform administrators may do this";

  @Inject PartyService parties;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createUser",
      summary = "Create a user (platform administrators)",
      description =
          "Registers a user under the name their tokens carry (`upn`, else"
              + " `preferred_username`, else `sub`), so that roles can be bound to them before"
              + " they first sign in.")
  @APIResponse(
      responseCode = "201",
      description = "The new user; `Location` is its URL",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = UserView.class)))
  @Extension(name = "x-rota-problems", value = "403 409")
  @Extension(name = "x-rota-problem-403", value = ADMINS_ONLY)
  @Extension(name = "x-rota-problem-409", value = "A user of that name exists")
  public Response create(@Valid @NotNull CreateUser request) {
    UserRow user = parties.createUser(caller, request.name(), request.displayName());
    return Response.created(uri.getAbsolutePathBuilder().path(user.name()).build())
        .entity(UserView.of(user))
        .build();
  }

  @GET
  @Operation(
      operationId = "listUsers",
      summary = "Users, by name (platform administrators)",
      description = "One page of the registered users, in name order.")
  @Extension(name = "x-rota-problems", value = "403")
  public Page<UserView> list(
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        parties.users(caller, Page.decode(cursor), limit), limit, UserRow::name, UserView::of);
  }

  @GET
  @Path("{name}")
  @Operation(
      operationId = "getUser",
      summary = "A user by name (oneself, or anyone for platform administrators)",
      description = "The registered user of that name.")
  @Extension(name = "x-rota-problems", value = "403 404")
  public UserView get(
      @PathParam("name")
          @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          String name) {
    return UserView.of(parties.user(caller, name));
  }
}
