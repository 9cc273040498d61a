package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.TreeReader;
import dev.rota.configvcs.internal.application.TreeReader.DocumentAt;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.rest.ConfigWire.SnapshotView;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Documents at a branch, tag or commit (viewers), as JSON or YAML. */
@Path("nodes/{id}/config/tree")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigTreeResource {

  /** Response headers naming what was read. */
  static final String COMMIT_HEADER = "Config-Commit";

  static final String BLOB_HEADER = "Config-Blob";

  @Inject TreeReader tree;
  @Inject Caller caller;

  @GET
  @Path("{ref}")
  @Operation(operationId = "getConfigTree", summary = "Every document at a branch, tag or commit")
  public Response snapshot(@PathParam("id") long nodeId, @PathParam("ref") String ref) {
    TreeReader.SnapshotAt snapshot = tree.snapshot(caller, nodeId, ref);
    return Response.ok(SnapshotView.of(snapshot))
        .header(COMMIT_HEADER, snapshot.commit().hash().hex())
        .build();
  }

  @GET
  @Path("{ref}/{path: .+}")
  @Operation(
      operationId = "getConfigDocument",
      summary =
          "One document at a branch, tag or commit: JSON in RFC 8785 canonical form"
              + " (whose SHA-256 is the Config-Blob header), or YAML")
  @APIResponse(
      responseCode = "200",
      description = "The document",
      content = {
        @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(description = "Any JSON value")),
        @Content(mediaType = YamlProvider.YAML)
      })
  public Response document(
      @PathParam("id") long nodeId, @PathParam("ref") String ref, @PathParam("path") String path) {
    DocumentAt document = tree.document(caller, nodeId, ref, ConfigPath.of(path));
    return Response.ok(new ConfigDocument(document.canonical()))
        .header(COMMIT_HEADER, document.commit().hash().hex())
        .header(BLOB_HEADER, document.blob().hex())
        .build();
  }
}
