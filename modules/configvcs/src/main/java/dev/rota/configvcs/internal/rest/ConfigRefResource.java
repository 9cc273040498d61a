package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.RefService;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.configvcs.internal.rest.ConfigWire.CreateRef;
import dev.rota.configvcs.internal.rest.ConfigWire.RefView;
import dev.rota.platform.Caller;
import dev.rota.platform.Page;
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
  @Operation(operationId = "listConfigRefs", summary = "Branches and tags, by name")
  public Page<RefView> list(
      @PathParam("id") long nodeId,
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
      summary = "Create a branch or tag at a branch, tag or commit (admins)")
  public Response create(@PathParam("id") long nodeId, @Valid @NotNull CreateRef request) {
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
  @Operation(operationId = "getConfigRef", summary = "A branch or tag")
  public RefView get(@PathParam("id") long nodeId, @PathParam("name") String name) {
    return RefView.of(refs.get(caller, nodeId, RefName.of(name)));
  }

  @DELETE
  @Path("{name}")
  @Operation(
      operationId = "deleteConfigRef",
      summary = "Delete a branch or tag (admins); main cannot be deleted")
  public Response delete(@PathParam("id") long nodeId, @PathParam("name") String name) {
    refs.delete(caller, nodeId, RefName.of(name));
    return Response.noContent().build();
  }
}
