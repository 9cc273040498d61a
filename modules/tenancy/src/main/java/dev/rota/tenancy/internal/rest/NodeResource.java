package dev.rota.tenancy.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.platform.Problem;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.internal.application.NamespaceReconciler;
import dev.rota.tenancy.internal.application.TreeService;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRow;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenancy tree: groups, projects and subprojects. */
@Path("nodes")
@RequestScoped
@Tag(name = "Tenancy")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NodeResource {

  static final String NOT_FOUND =
      "No such node that you can see: a node you may not see answers exactly as one that does not"
          + " exist";
  static final String FORBIDDEN =
      "You see the node but your role is too low for this (`Role too low` names the role needed)";
  static final String CONFLICT =
      "The change breaks a rule of the tree (`constraint` names it): a sibling with the same"
          + " label, a kind under the wrong parent, guarantees above the parent's, a cycle";

  @Inject TreeService tree;
  @Inject NamespaceReconciler namespaces;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createNode",
      summary =
          "Create a top-level group (platform administrators) or a child node (admins of the parent)",
      description =
          "Creates a group, project or subproject. Its path label is a slug of its name (a-z, 0-9"
              + " and `_`), unique among its siblings. Projects and subprojects get a Kubernetes"
              + " namespace, created asynchronously: `sync` on `getNode` says where it stands. A"
              + " guarantee must fit in the parent's.")
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              examples =
                  @ExampleObject(
                      name = "project",
                      value =
                          """
                          {"kind": "project", "parentId": 12, "name": "Vision", \
                          "guaranteedGpus": 8, "gpuLimit": 16}""")))
  @APIResponse(
      responseCode = "201",
      description = "The new node; `Location` is its URL",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = NodeView.class),
              examples =
                  @ExampleObject(
                      name = "project",
                      value =
                          """
                          {"id": 42, "kind": "project", "name": "Vision", "path": "acme/ml/vision", \
                          "parentId": 12, "namespace": "rota-42", "guaranteedGpus": 8, \
                          "gpuLimit": 16, "createdAt": "2026-11-29T10:15:30Z", \
                          "updatedAt": "2026-11-29T10:15:30Z"}""")))
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = FORBIDDEN)
  @Extension(name = "x-rota-problem-409", value = CONFLICT)
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
  @Operation(
      operationId = "getNode",
      summary = "A node by id",
      description =
          "The node with its quota and, for a project or subproject, where its namespace stands"
              + " (`sync`: synced, pending or failed, with `syncError`). Any role at the node or"
              + " above it lets you read it.")
  @Extension(name = "x-rota-problems", value = "404")
  public NodeView get(@PathParam("id") @Min(1) long id) {
    return NodeView.of(tree.get(caller, id)).with(namespaces.syncState(id));
  }

  @GET
  @Path("by-path/{path: .+}")
  @Operation(
      operationId = "getNodeByPath",
      summary = "A node by its path, e.g. acme/ml/vision",
      description =
          "The node whose path of labels from the root is `path`, slash-separated. Answers as"
              + " `getNode`.")
  @Extension(name = "x-rota-problems", value = "404")
  public NodeView byPath(
      @PathParam("path")
          @Size(max = NodeLabel.MAX_PATH_LENGTH)
          @Pattern(regexp = NodeLabel.PATH_PATTERN, message = NodeLabel.PATH_RULE)
          String path) {
    NodeRow node = tree.getByPath(caller, path);
    return NodeView.of(node).with(namespaces.syncState(node.id()));
  }

  @GET
  @Path("{id}/children")
  @Operation(
      operationId = "listNodeChildren",
      summary = "The node's children, in path order",
      description = "One page of the node's direct children that you can see, in path order.")
  @Extension(name = "x-rota-problems", value = "404")
  public Page<NodeView> children(
      @PathParam("id") @Min(1) long id,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return page(tree.descendants(caller, id, 1, Page.decode(cursor), limit), limit);
  }

  @GET
  @Path("{id}/descendants")
  @Operation(
      operationId = "listNodeDescendants",
      summary = "The node's subtree to a depth, in path order",
      description =
          "One page of the nodes below this one, down to `depth` levels (1: the children), in"
              + " path order, so that a parent always comes before its children.")
  @Extension(name = "x-rota-problems", value = "404")
  public Page<NodeView> descendants(
      @PathParam("id") @Min(1) long id,
      @QueryParam("depth") @DefaultValue("1000") @Min(1) @Max(1000) int depth,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return page(tree.descendants(caller, id, depth, Page.decode(cursor), limit), limit);
  }

  @GET
  @Path("{id}/ancestors")
  @Operation(
      operationId = "listNodeAncestors",
      summary = "The node's ancestors, root first",
      description = "Every node above this one, from the top-level group down to its parent.")
  @Extension(name = "x-rota-problems", value = "404")
  public List<NodeView> ancestors(@PathParam("id") @Min(1) long id) {
    return tree.ancestors(caller, id).stream().map(NodeView::of).toList();
  }

  @POST
  @Path("{id}/rename")
  @Operation(
      operationId = "renameNode",
      summary = "Rename a node; its path label follows, its namespace stays",
      description =
          "Gives the node a new name (admins of the parent). Its label, and so the paths of its"
              + " whole subtree, follow; namespaces keep their names.")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  public NodeView rename(
      @PathParam("id") @Min(1) long id, @Valid @NotNull NodeRequests.Rename request) {
    return NodeView.of(tree.rename(caller, id, request.name()));
  }

  @POST
  @Path("{id}/move")
  @Operation(
      operationId = "moveNode",
      summary = "Move the node's subtree under another parent, in one transaction",
      description =
          "Moves the node and everything below it under `parentId`. You need admin at the"
              + " current parent and at the new one. Moving under itself or a descendant, or a"
              + " guarantee the new parent cannot cover, is a 409.")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  public NodeView move(
      @PathParam("id") @Min(1) long id, @Valid @NotNull NodeRequests.Move request) {
    return NodeView.of(tree.move(caller, id, request.parentId()));
  }

  @PUT
  @Path("{id}/quota")
  @Operation(
      operationId = "updateNodeQuota",
      summary = "Set the guaranteed GPUs and optional limit (admins of the parent)",
      description =
          "Replaces the node's GPU guarantee and limit (no limit: the parent's applies). The"
              + " guarantees of a node's children never exceed its own, checked by the database.")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  public NodeView quota(
      @PathParam("id") @Min(1) long id, @Valid @NotNull NodeRequests.Quota request) {
    return NodeView.of(tree.setQuota(caller, id, request.guaranteedGpus(), request.gpuLimit()));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteNode",
      summary = "Delete a node; a non-empty one only with recursive=true",
      description =
          "Deletes the node (admins of the parent); with `recursive=true` its whole subtree. Their"
              + " namespaces are removed asynchronously.")
  @APIResponse(responseCode = "204", description = "Deleted")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = FORBIDDEN)
  @Extension(
      name = "x-rota-problem-409",
      value = "The node has descendants and `recursive` is not true")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response delete(
      @PathParam("id") @Min(1) long id,
      @QueryParam("recursive") @DefaultValue("false") boolean recursive) {
    tree.delete(caller, id, recursive);
    return Response.noContent().build();
  }

  private static Page<NodeView> page(List<NodeRow> fetched, int limit) {
    return Page.of(fetched, limit, NodeRow::path, NodeView::of);
  }
}
