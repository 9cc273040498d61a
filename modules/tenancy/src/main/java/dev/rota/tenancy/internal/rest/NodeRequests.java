package dev.rota.tenancy.internal.rest;

import dev.rota.tenancy.internal.domain.NodeLabel;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the node endpoints. */
public final class NodeRequests {

  private NodeRequests() {}

  /** A new node; {@code parentId} is omitted only for a top-level group. */
  public record CreateNode(
      @NotNull
          @Pattern(
              regexp = "group|project|subproject",
              message = "must be group, project or subproject")
          String kind,
      Long parentId,
      @NotBlank @Size(max = NodeLabel.MAX_NAME_LENGTH) String name,
      @Min(0) @Max(1_000_000) Integer guaranteedGpus,
      @Min(0) @Max(1_000_000) Integer gpuLimit) {}

  public record Rename(@NotBlank @Size(max = NodeLabel.MAX_NAME_LENGTH) String name) {}

  public record Move(@NotNull Long parentId) {}

  public record Quota(
      @NotNull @Min(0) @Max(1_000_000) Integer guaranteedGpus,
      @Min(0) @Max(1_000_000) Integer gpuLimit) {}
}
