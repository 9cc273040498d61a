package dev.rota.tenancy.internal.rest;

import dev.rota.platform.SyncState;
import dev.rota.tenancy.NamespaceName;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRow;
import java.time.OffsetDateTime;

/**
 * A tenancy node on the wire.
 *
 * @param path labels from the root, slash-separated ({@code acme/ml/vision})
 * @param namespace the Kubernetes namespace of a project or subproject; null for a group
 * @param sync where its namespace stands: synced, pending or failed (single-node reads only)
 * @param syncError why the last attempt to apply it failed, while it is failed
 */
public record NodeView(
    long id,
    String kind,
    String name,
    String path,
    Long parentId,
    String namespace,
    int guaranteedGpus,
    Integer gpuLimit,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    String sync,
    String syncError) {

  static NodeView of(NodeRow row) {
    return new NodeView(
        row.id(),
        row.kind().sqlName(),
        row.name(),
        NodeLabel.toSlashPath(row.path()),
        row.parentId(),
        row.kind().hasNamespace() ? NamespaceName.of(row.id()) : null,
        row.guaranteedGpus(),
        row.gpuLimit(),
        row.createdAt(),
        row.updatedAt(),
        null,
        null);
  }

  /** The view with its namespace's sync state; unchanged for a group, which has none. */
  NodeView with(SyncState state) {
    return namespace == null || state == null
        ? this
        : new NodeView(
            id,
            kind,
            name,
            path,
            parentId,
            namespace,
            guaranteedGpus,
            gpuLimit,
            createdAt,
            updatedAt,
            state.sync(),
            state.lastError());
  }
}
