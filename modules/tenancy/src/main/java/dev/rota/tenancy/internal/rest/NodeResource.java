package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.internal.application.NamespaceReconciler;
import dev.rota.tenancy.internal.application.TreeService;
import dev.rota.tenancy.internal.persistence.NodeRow;
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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenancy tree: groups, projects and subprojects. */
@Path("nodes")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NodeResource {

  @Inject TreeService tree;
  @Inject NamespaceReconciler namespaces;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createNode",
      summary =
          "Create a top-level group (platform administrators) or a child node (admins of the parent)")
  public Response create(@Valid @NotNull NodeRequests.CreateNode request) {
    NodeRow node =
        tree.create(
            caller,
            NodeKind.fromSql(request.kind()),
            request.parentId(),
            request.name(),
            request.guaranteedGpus() == null ? 0 : request.guaranteedGpus(),
            request.gpuLimit());
    return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(node.id())).build())
        .entity(NodeView.of(node))
        .build();
  }

  @GET
  @Path("{id}")
  @Operation(operationId = "getNode", summary = "A node by id")
  public NodeView get(@PathParam("id") long id) {
    return NodeView.of(tree.get(caller, id)).with(namespaces.syncState(id));
  }

  @GET
  @Path("by-path/{path: .+}")
  @Operation(operationId = "getNodeByPath", summary = "A node by its path, e.g. acme/ml/vision")
  public NodeView byPath(@PathParam("path") String path) {
    NodeRow node = tree.getByPath(caller, path);
    return NodeView.of(node).with(namespaces.syncState(node.id()));
  }

  @GET
  @Path("{id}/children")
  @Operation(operationId = "listNodeChildren", summary = "The node's children, in path order")
  public Page<NodeView> children(
      @PathParam("id") long id,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return page(tree.descendants(caller, id, 1, Page.decode(cursor), limit), limit);
  }

  @GET
  @Path("{id}/descendants")
  @Operation(
      operationId = "listNodeDescendants",
      summary = "The node's subtree to a depth, in path order")
  public Page<NodeView> descendants(
      @PathParam("id") long id,
      @QueryParam("depth") @DefaultValue("1000") @Min(1) @Max(1000) int depth,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return page(tree.descendants(caller, id, depth, Page.decode(cursor), limit), limit);
  }

  @GET
  @Path("{id}/ancestors")
  @Operation(operationId = "listNodeAncestors", summary = "The node's ancestors, root first")
  public List<NodeView> ancestors(@PathParam("id") long id) {
    return tree.ancestors(caller, id).stream().map(NodeView::of).toList();
  }

  @POST
  @Path("{id}/rename")
  @Operation(
      operationId = "renameNode",
      summary = "Rename a node; its path label follows, its namespace stays")
  public NodeView rename(@PathParam("id") long id, @Valid @NotNull NodeRequests.Rename request) {
    return NodeView.of(tree.rename(caller, id, request.name()));
  }

  @POST
  @Path("{id}/move")
  @Operation(
      operationId = "moveNode",
      summary = "Move the node's subtree under another parent, in one transaction")
  public NodeView move(@PathParam("id") long id, @Valid @NotNull NodeRequests.Move request) {
    return NodeView.of(tree.move(caller, id, request.parentId()));
  }

  @PUT
  @Path("{id}/quota")
  @Operation(
      operationId = "updateNodeQuota",
      summary = "Set the guaranteed GPUs and optional limit (admins of the parent)")
  public NodeView quota(@PathParam("id") long id, @Valid @NotNull NodeRequests.Quota request) {
    return NodeView.of(tree.setQuota(caller, id, request.guaranteedGpus(), request.gpuLimit()));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteNode",
      summary = "Delete a node; a non-empty one only with recursive=true")
  public Response delete(
      @PathParam("id") long id, @QueryParam("recursive") @DefaultValue("false") boolean recursive) {
    tree.delete(caller, id, recursive);
    return Response.noContent().build();
  }

  private static Page<NodeView> page(List<NodeRow> fetched, int limit) {
    return Page.of(fetched, limit, NodeRow::path, NodeView::of);
  }
}
