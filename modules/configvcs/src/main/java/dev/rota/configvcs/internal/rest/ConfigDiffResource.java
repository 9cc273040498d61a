package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.application.HistoryService;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.rest.ConfigWire.DiffView;
import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/nodes/{id}/config/diff?from=&to=}: what changed between two commits. */
@Path("nodes/{id}/config/diff")
@RequestScoped
@Tag(name = "Configuration")
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigDiffResource {

  @Inject HistoryService history;
  @Inject Caller caller;

  @GET
  @Operation(
      operationId = "diffConfig",
      summary =
          "Each document that differs between two branches, tags or commits, with the"
              + " RFC 6902 JSON Patch from one to the other; `from` defaults to the first parent of `to`",
      description =
          "Every document added, removed or modified from `from` to `to`, each with its blob"
              + " hashes and the RFC 6902 JSON Patch that turns the one into the other. With"
              + " `path`, only that document.")
  @Extension(name = "x-rota-problems", value = "404")
  public DiffView diff(
      @PathParam("id") @Min(1) long nodeId,
      @QueryParam("from")
          @Parameter(
              description = "A branch, a tag or a commit hash; by default the first parent of `to`",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String from,
      @QueryParam("to")
          @NotBlank
          @Parameter(
              description = "A branch, a tag or a commit hash",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigWire.MAX_REF,
                      pattern = ConfigWire.REF))
          String to,
      @QueryParam("path")
          @Parameter(
              description = "Only this document",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = ConfigPath.MAX_LENGTH,
                      pattern = ConfigWire.PATH))
          String path) {
    return DiffView.of(
        history.diff(caller, nodeId, from, to, path == null ? null : ConfigPath.of(path)));
  }
}
