package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.RefService;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.configvcs.internal.rest.ConfigWire.CreateRef;
import dev.rota.configvcs.internal.rest.ConfigWire.RefView;
import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.platform.Problem;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Branches and tags of a node's configuration: viewers list them, admins manage them. */
@Path("nodes/{id}/config/refs")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
@Consumes({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigRefResource {

  @Inject RefService refs;
  @Inject Caller caller;
  @Context UriInfo uri;

  @GET
  @Operation(
      operationId = "listConfigRefs",
      summary = "Branches and tags, by name",
      description = "One page of the repository's branches and tags, in name order.")
  @Extension(name = "x-rota-problems", value = "404")
  public Page<RefView> list(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        refs.page(caller, nodeId, Page.decode(cursor), limit + 1),
        limit,
        RefRow::name,
        RefView::of);
  }

  @POST
  @Operation(
      operationId = "createConfigRef",
      summary = "Create a branch or tag at a branch, tag or commit (admins)",
      description =
          "Creates a branch (which commits move) or a tag (which never moves) at the commit"
              + " `target` names.")
  @APIResponse(
      responseCode = "201",
      description = "The new branch or tag; `Location` is its URL",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RefView.class)))
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = ConfigCommitResource.FORBIDDEN)
  @Extension(name = "x-rota-problem-409", value = "A branch or tag of that name exists")
  public Response create(@PathParam("id") @Min(1) long nodeId, @Valid @NotNull CreateRef request) {
    RefRow ref =
        refs.create(
            caller,
            nodeId,
            RefName.of(request.name()),
            RefRow.Kind.fromSql(request.kind()),
            request.target());
    return Response.created(uri.getAbsolutePathBuilder().path(ref.name()).build())
        .entity(RefView.of(ref))
        .build();
  }

  @GET
  @Path("{name}")
  @Operation(
      operationId = "getConfigRef",
      summary = "A branch or tag",
      description = "The branch or tag and the commit it points at.")
  @Extension(name = "x-rota-problems", value = "404")
  public RefView get(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("name")
          @Parameter(
              description = "A branch or tag name",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String name) {
    return RefView.of(refs.get(caller, nodeId, RefName.of(name)));
  }

  @DELETE
  @Path("{name}")
  @Operation(
      operationId = "deleteConfigRef",
      summary = "Delete a branch or tag (admins); main cannot be deleted",
      description = "Deletes the branch or tag; its commits stay, reachable by hash.")
  @APIResponse(responseCode = "204", description = "Deleted")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = ConfigCommitResource.FORBIDDEN)
  @Extension(name = "x-rota-problem-409", value = "The branch is main, which cannot be deleted")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response delete(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("name")
          @Parameter(
              description = "A branch or tag name",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String name) {
    refs.delete(caller, nodeId, RefName.of(name));
    return Response.noContent().build();
  }
}
