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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Commits of a node's configuration: commit, log, show, revert. */
@Path("nodes/{id}/config/commits")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
@Consumes({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigCommitResource {

  static final String NOT_FOUND =
      "No such node that you can see (one you may not see answers the same), or no such branch,"
          + " tag, commit or document in its repository";
  static final String FORBIDDEN =
      "You see the node but your role is too low: committing takes member, committing to main"
          + " and managing refs take admin";

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
              + " (members; main: admins). The branch moves only if it is still at `parent`.",
      description =
          "Applies the changes in order to the documents of `parent` and commits the result to"
              + " `branch`, in one transaction, only if the branch is still at `parent`"
              + " (compare-and-swap): otherwise nothing is committed and the 409 carries"
              + " `currentHead` to rebase on. Each change gives exactly one of `document`,"
              + " `mergePatch`, `jsonPatch` or `delete: true`. Bodies may be JSON or YAML.")
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CommitRequest.class),
              examples =
                  @ExampleObject(
                      name = "patch-and-replace",
                      value =
                          """
                          {"branch": "main", \
                          "parent": "3f1c9a2e5b7d4c6a8e0f1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c2a4e6f8b0d1c3e", \
                          "message": "More GPUs for training", \
                          "changes": [{"path": "quotas", "mergePatch": {"training": {"gpus": 16}}}, \
                          {"path": "images/default", \
                          "jsonPatch": [{"op": "replace", "path": "/tag", "value": "2026.11"}]}]}""")))
  @APIResponse(
      responseCode = "201",
      description = "The new commit; `Location` is its URL",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CommitView.class),
              examples =
                  @ExampleObject(
                      name = "committed",
                      value =
                          """
                          {"hash": "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b", \
                          "parents": ["3f1c9a2e5b7d4c6a8e0f1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c2a4e6f8b0d1c3e"], \
                          "snapshot": "c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6", \
                          "author": "alice", "authorPartyId": 7, \
                          "message": "More GPUs for training", \
                          "committedAt": "2026-11-29T10:15:30Z"}""")))
  @Extension(name = "x-rota-problems", value = "403 404 409 422")
  @Extension(name = "x-rota-problem-403", value = FORBIDDEN)
  @Extension(
      name = "x-rota-problem-409",
      value = "The branch moved: `currentHead` is where it is now; nothing was committed")
  @Extension(
      name = "x-rota-problem-422",
      value = "A patch does not apply to its document; nothing was committed")
  public Response commit(
      @PathParam("id") @Min(1) long nodeId, @Valid @NotNull CommitRequest request) {
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
              + " with `path`, only the commits that changed that document",
      description =
          "One page of commits, newest first, following first parents from `ref`. With `path`,"
              + " only the commits that changed that document.")
  @Extension(name = "x-rota-problems", value = "404")
  public Page<CommitView> log(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("ref")
          @DefaultValue("main")
          @Parameter(
              description = "A branch, a tag or a commit hash",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String ref,
      @QueryParam("path")
          @Parameter(
              description = "Only the commits that changed this document",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigPath.MAX_LENGTH,
                      pattern = ConfigWire.PATH))
          String path,
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
  @Operation(
      operationId = "getConfigCommit",
      summary = "The commit a hash, branch or tag names",
      description = "The commit itself: its parents, snapshot, author, message and time.")
  @Extension(name = "x-rota-problems", value = "404")
  public CommitView show(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("ref")
          @Parameter(
              description = "A branch, a tag or a commit hash",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String ref) {
    return CommitView.of(history.commit(caller, nodeId, ref));
  }

  @POST
  @Path("{hash}/revert")
  @Operation(
      operationId = "revertConfig",
      summary = "Undo a commit with a new commit on a branch whose head is `parent`",
      description =
          "Commits the inverse of commit `hash` to `branch`, if the branch is still at `parent`"
              + " and the documents it changed were not changed since in ways that conflict.")
  @APIResponse(
      responseCode = "201",
      description = "The reverting commit; `Location` is its URL",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CommitView.class)))
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(name = "x-rota-problem-403", value = FORBIDDEN)
  @Extension(
      name = "x-rota-problem-409",
      value = "The branch moved (`currentHead`), or later edits conflict (`paths`)")
  public Response revert(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("hash")
          @Parameter(
              description = "The commit to undo",
              schema = @Schema(type = SchemaType.STRING, maxLength = 64, pattern = ConfigWire.HASH))
          String hash,
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
