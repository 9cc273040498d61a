package dev.rota.storage.internal.rest;

import dev.rota.platform.SyncState;
import dev.rota.storage.internal.persistence.VolumeRow;
import dev.rota.tenancy.NamespaceName;
import jakarta.json.JsonValue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.OffsetDateTime;
import java.util.List;

/** Wire records of the storage endpoints. */
public final class VolumeWire {

  /** A node pool's name, as the database's CHECK on pool roots has it. */
  static final String POOL = "[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?";

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
      @NotBlank
          @Pattern(
              regexp = "[a-z0-9]([a-z0-9-]{0,47}[a-z0-9])?",
              message = "must be a DNS label of at most 49 characters")
          String name,
      String ownerUser,
      String ownerGroup,
      @NotBlank
          @Pattern(regexp = POOL, message = "must be a node pool name (a DNS label, at most 63)")
          String pool,
      @NotBlank String hostPath,
      @NotBlank String capacity,
      @NotNull
          @Pattern(
              regexp = "ReadWriteOnce|ReadOnlyMany|ReadWriteMany|ReadWriteOncePod",
              message = "must be a Kubernetes access mode")
          String accessMode,
      @NotNull JsonValue nodeAffinity) {}

  public record Attach(@NotNull Long nodeId) {}

  public record PoolRoot(@NotBlank String root) {}

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
