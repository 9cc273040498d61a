package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.TreeReader;
import dev.rota.configvcs.internal.application.TreeReader.DocumentAt;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.rest.ConfigWire.SnapshotView;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
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
  @Operation(
      operationId = "getConfigTree",
      summary = "Every document at a branch, tag or commit",
      description =
          "The snapshot of a commit: every document by path, and each document's blob hash."
              + " The `Config-Commit` header names the commit read.")
  @APIResponse(
      responseCode = "200",
      description = "The snapshot",
      headers =
          @Header(
              name = COMMIT_HEADER,
              description = "The hash of the commit read",
              schema =
                  @Schema(type = SchemaType.STRING, maxLength = 64, pattern = ConfigWire.HASH)),
      content = {
        @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SnapshotView.class)),
        @Content(
            mediaType = YamlProvider.YAML,
            schema = @Schema(implementation = SnapshotView.class))
      })
  @Extension(name = "x-rota-problems", value = "404")
  @Extension(name = "x-rota-problem-404", value = ConfigCommitResource.NOT_FOUND)
  public Response snapshot(
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
              + " (whose SHA-256 is the Config-Blob header), or YAML",
      description =
          "The document at `path` in the commit `ref` names: as JSON, byte for byte the RFC 8785"
              + " canonical text whose SHA-256 is the `Config-Blob` header; as YAML on request.")
  @APIResponse(
      responseCode = "200",
      description = "The document",
      headers = {
        @Header(
            name = COMMIT_HEADER,
            description = "The hash of the commit read",
            schema = @Schema(type = SchemaType.STRING, maxLength = 64, pattern = ConfigWire.HASH)),
        @Header(
            name = BLOB_HEADER,
            description = "The SHA-256 of the document's canonical JSON",
            schema = @Schema(type = SchemaType.STRING, maxLength = 64, pattern = ConfigWire.HASH))
      },
      content = {
        @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(description = "Any JSON value")),
        @Content(
            mediaType = YamlProvider.YAML,
            schema = @Schema(description = "The same value as YAML"))
      })
  @Extension(name = "x-rota-problems", value = "404")
  @Extension(name = "x-rota-problem-404", value = ConfigCommitResource.NOT_FOUND)
  public Response document(
      @PathParam("id") @Min(1) long nodeId,
      @PathParam("ref")
          @Parameter(
              description = "A branch, a tag or a commit hash",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String ref,
      @PathParam("path")
          @Parameter(
              description = "The document's path, e.g. quotas or images/default",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigPath.MAX_LENGTH,
                      pattern = ConfigWire.PATH))
          String path) {
    DocumentAt document = tree.document(caller, nodeId, ref, ConfigPath.of(path));
    return Response.ok(new ConfigDocument(document.canonical()))
        .header(COMMIT_HEADER, document.commit().hash().hex())
        .header(BLOB_HEADER, document.blob().hex())
        .build();
  }
}
