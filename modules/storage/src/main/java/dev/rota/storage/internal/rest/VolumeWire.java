package dev.rota.storage.internal.rest;

import dev.rota.platform.SyncState;
import dev.rota.storage.internal.persistence.VolumeRow;
import dev.rota.tenancy.NamespaceName;
import jakarta.json.JsonValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Wire records of the storage endpoints. */
public final class VolumeWire {

  /** A node pool's name, as the database's CHECK on pool roots has it. */
  static final String POOL = "[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?";

  /** A Kubernetes node's name: a DNS subdomain. */
  static final String NODE_NAME = "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?";

  /** A user's name, as the database's CHECK on users has it. */
  static final String USER = "[A-Za-z0-9][A-Za-z0-9._@-]{0,127}";

  /** A group's slash path as tenancy reads it (surrounding slashes are dropped). */
  static final String GROUP_PATH = "/*[a-z0-9][a-z0-9_]{0,62}(/[a-z0-9][a-z0-9_]{0,62})*/*";

  /**
   * An absolute, normalized host path of ASCII segments, as {@link
   * dev.rota.storage.internal.domain.HostPath} checks it (which also counts the bytes).
   */
  static final String HOST_PATH = "(/[A-Za-z0-9_][A-Za-z0-9._-]*)+";

  /** A positive Kubernetes quantity of bytes, decimal or binary suffixed: 500Gi, 1.5T, 10e9. */
  static final String QUANTITY = "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[kMGTPE]|[eE][0-9]+)?";

  static final String CREATE_EXAMPLE =
      """
      {"name": "datasets", "ownerGroup": "acme/ml", "pool": "pool-a",
       "hostPath": "/data/acme/datasets", "capacity": "500Gi", "accessMode": "ReadWriteMany",
       "nodeAffinity": {"nodeSelectorTerms": [{"matchExpressions": [
         {"key": "kubernetes.io/hostname", "operator": "In",
          "values": ["gpu-node-01", "gpu-node-02"]}]}]}}
      """;

  static final String VIEW_EXAMPLE =
      """
      {"id": 7, "name": "datasets", "ownerPartyId": 12, "pool": "pool-a",
       "hostPath": "/data/acme/datasets", "capacityBytes": 536870912000,
       "accessMode": "ReadWriteMany",
       "nodeAffinity": "{\\"nodeSelectorTerms\\":[{\\"matchExpressions\\":[{\\"key\\":\
      \\"kubernetes.io/hostname\\",\\"operator\\":\\"In\\",\
      \\"values\\":[\\"gpu-node-01\\",\\"gpu-node-02\\"]}]}]}",
       "nodes": ["gpu-node-01", "gpu-node-02"],
       "createdAt": "2026-11-29T10:15:30Z"}
      """;

  private VolumeWire() {}

  /**
   * A new hostPath volume.
   *
   * @param ownerUser the owning user (default: the caller); or
   * @param ownerGroup the owning group's path, e.g. {@code acme/ml}
   * @param capacity a Kubernetes quantity, e.g. {@code 500Gi}
   * @param nodeAffinity a Kubernetes NodeSelector: {@code {"nodeSelectorTerms":[...]}}
   */
  public record CreateVolume(
      @Schema(description = "Unique among the owner's volumes; part of the PersistentVolume's name")
          @NotBlank
          @Size(max = 49)
          @Pattern(
              regexp = "[a-z0-9]([a-z0-9-]{0,47}[a-z0-9])?",
              message = "must be a DNS label of at most 49 characters")
          String name,
      @Schema(description = "The owning user; default: the caller. Not with ownerGroup.")
          @Size(max = 128)
          @Pattern(regexp = USER, message = "must be a user name")
          String ownerUser,
      @Schema(
              description = "The owning group's path; not with ownerUser",
              pattern = GROUP_PATH,
              example = "acme/ml")
          @Size(max = 2048)
          String ownerGroup,
      @Schema(description = "The node pool whose nodes hold the directory")
          @NotBlank
          @Size(max = 63)
          @Pattern(regexp = POOL, message = "must be a node pool name (a DNS label, at most 63)")
          String pool,
      @Schema(
              description =
                  "Absolute and normalized (no '.', '..', '//' or trailing slash), at most 4095"
                      + " bytes with segments of at most 255, below the pool's allowed root",
              pattern = HOST_PATH,
              maxLength = 4095,
              example = "/data/acme/datasets")
          @NotBlank
          String hostPath,
      @Schema(description = "A positive Kubernetes quantity of bytes", example = "500Gi")
          @NotBlank
          @Size(max = 32)
          @Pattern(regexp = QUANTITY, message = "must be a Kubernetes quantity such as 500Gi")
          String capacity,
      @Schema(enumeration = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"})
          @NotNull
          @Pattern(
              regexp = "ReadWriteOnce|ReadOnlyMany|ReadWriteMany|ReadWriteOncePod",
              message = "must be a Kubernetes access mode")
          String accessMode,
      @Schema(
              type = SchemaType.OBJECT,
              description =
                  "A Kubernetes NodeSelector, {\"nodeSelectorTerms\": [...]}, selecting nodes of"
                      + " the pool only")
          @NotNull
          JsonValue nodeAffinity) {}

  /** Where to attach a volume. */
  public record Attach(
      @Schema(description = "The project or subproject whose namespace gets the claim")
          @NotNull
          @Min(1)
          @Max(Long.MAX_VALUE)
          Long nodeId) {}

  /** A pool's allowed root. */
  public record PoolRoot(
      @Schema(
              description =
                  "Absolute and normalized, at most 4095 bytes, and no system path, nor above one",
              pattern = HOST_PATH,
              maxLength = 4095,
              example = "/data")
          @NotBlank
          String root) {}

  public record PoolRootView(String pool, String root) {}

  /**
   * A volume; {@code namespace} is where its claim lives when attached; {@code sync} says whether
   * its PV and claim are applied (synced, pending, failed with {@code syncError}), on reads of one
   * volume.
   */
  public record VolumeView(
      long id,
      String name,
      long ownerPartyId,
      String pool,
      String hostPath,
      long capacityBytes,
      String accessMode,
      String nodeAffinity,
      List<String> nodes,
      Long attachedNodeId,
      String namespace,
      OffsetDateTime createdAt,
      String sync,
      String syncError) {

    static VolumeView of(VolumeRow v) {
      return new VolumeView(
          v.id(),
          v.name(),
          v.ownerPartyId(),
          v.pool(),
          v.hostPath(),
          v.capacityBytes(),
          v.accessMode(),
          v.nodeAffinityJson(),
          v.nodeNames(),
          v.attachedNodeId(),
          v.attachedNodeId() == null ? null : NamespaceName.of(v.attachedNodeId()),
          v.createdAt(),
          null,
          null);
    }

    VolumeView with(SyncState state) {
      return new VolumeView(
          id,
          name,
          ownerPartyId,
          pool,
          hostPath,
          capacityBytes,
          accessMode,
          nodeAffinity,
          nodes,
          attachedNodeId,
          namespace,
          createdAt,
          state.sync(),
          state.lastError());
    }
  }
}
