package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.CommitService;
import dev.rota.configvcs.internal.application.HistoryService;
import dev.rota.configvcs.internal.application.RevertService;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.rest.ConfigWire.CommitRequest;
import dev.rota.configvcs.internal.rest.ConfigWire.CommitView;
import dev.rota.configvcs.internal.rest.ConfigWire.RevertRequest;
import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Commits of a node's configuration: commit, log, show, revert. */
@Path("nodes/{id}/config/commits")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
@Consumes({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigCommitResource {

  @Inject CommitService commits;
  @Inject RevertService reverts;
  @Inject HistoryService history;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "commitConfig",
      summary =
          "Commit whole documents, JSON Merge Patches or JSON Patches to a branch"
              + " (members; main: admins). The branch moves only if it is still at `parent`.")
  @APIResponse(responseCode = "201", description = "The new commit")
  @APIResponse(
      responseCode = "409",
      description = "The branch moved: `currentHead` is where it is now")
  @APIResponse(responseCode = "422", description = "A patch does not apply to its document")
  public Response commit(@PathParam("id") long nodeId, @Valid @NotNull CommitRequest request) {
    Commit commit =
        commits.commit(
            caller,
            nodeId,
            new CommitService.CommitRequest(
                RefName.of(request.branch()),
                ContentHash.parse(request.parent()),
                request.message(),
                request.changes().stream().map(ConfigWire.ChangeRequest::toChange).toList()));
    return created(commit);
  }

  @GET
  @Operation(
      operationId = "listConfigHistory",
      summary =
          "The first-parent history of a branch, tag or commit, newest first;"
              + " with `path`, only the commits that changed that document")
  public Page<CommitView> log(
      @PathParam("id") long nodeId,
      @QueryParam("ref") @DefaultValue("main") String ref,
      @QueryParam("path") String path,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    String start = Page.decode(cursor);
    if (start != null && !ContentHash.looksLikeHash(start)) {
      throw new Page.InvalidCursor();
    }
    return Page.of(
        history.log(
            caller,
            nodeId,
            ref,
            start == null ? null : ContentHash.parse(start),
            path == null ? null : ConfigPath.of(path),
            limit + 1),
        limit,
        c -> c.firstParent().map(ContentHash::hex).orElse(""),
        CommitView::of);
  }

  @GET
  @Path("{ref}")
  @Operation(operationId = "getConfigCommit", summary = "The commit a hash, branch or tag names")
  public CommitView show(@PathParam("id") long nodeId, @PathParam("ref") String ref) {
    return CommitView.of(history.commit(caller, nodeId, ref));
  }

  @POST
  @Path("{hash}/revert")
  @Operation(
      operationId = "revertConfig",
      summary = "Undo a commit with a new commit on a branch whose head is `parent`")
  @APIResponse(responseCode = "201", description = "The reverting commit")
  @APIResponse(
      responseCode = "409",
      description = "The branch moved (`currentHead`), or later edits conflict (`paths`)")
  public Response revert(
      @PathParam("id") long nodeId,
      @PathParam("hash") String hash,
      @Valid @NotNull RevertRequest request) {
    Commit commit =
        reverts.revert(
            caller,
            nodeId,
            new RevertService.RevertRequest(
                ContentHash.parse(hash),
                RefName.of(request.branch()),
                ContentHash.parse(request.parent()),
                request.message()));
    return created(commit);
  }

  private Response created(Commit commit) {
    return Response.created(
            uri.getBaseUriBuilder()
                .path(ConfigCommitResource.class)
                .path(commit.hash().hex())
                .build(commit.nodeId()))
        .entity(CommitView.of(commit))
        .build();
  }
}
