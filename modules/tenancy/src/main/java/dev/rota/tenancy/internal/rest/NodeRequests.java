package dev.rota.tenancy.internal.rest;

import dev.rota.tenancy.internal.domain.NodeLabel;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request bodies of the node endpoints. */
public final class NodeRequests {

  private NodeRequests() {}

  /** Most GPUs a guarantee or limit may name; far above any cluster, well inside an int. */
  static final int MAX_GPUS = 1_000_000;

  /** A new node; {@code parentId} is omitted only for a top-level group. */
  public record CreateNode(
      @NotNull
          @Pattern(
              regexp = "group|project|subproject",
              message = "must be group, project or subproject")
          @Schema(enumeration = {"group", "project", "subproject"})
          String kind,
      @Min(1) @Schema(description = "The parent node; omitted only for a top-level group")
          Long parentId,
      @NotBlank
          @Size(max = NodeLabel.MAX_NAME_LENGTH)
          @Schema(
              description =
                  "Any text without control characters; its path label is the slug of it (a-z,"
                      + " 0-9 and _), unique among siblings")
          String name,
      @Min(0) @Max(MAX_GPUS) @Schema(description = "GPUs guaranteed to the node; default 0")
          Integer guaranteedGpus,
      @Min(0)
          @Max(MAX_GPUS)
          @Schema(description = "Most GPUs the node may use; none: no limit of its own")
          Integer gpuLimit) {}

  public record Rename(
      @NotBlank
          @Size(max = NodeLabel.MAX_NAME_LENGTH)
          @Schema(description = "The new name; the path label follows it")
          String name) {}

  public record Move(@NotNull @Min(1) @Schema(description = "The new parent node") Long parentId) {}

  public record Quota(
      @NotNull @Min(0) @Max(MAX_GPUS) Integer guaranteedGpus,
      @Min(0) @Max(MAX_GPUS) @Schema(description = "none: no limit of its own") Integer gpuLimit) {}
}
