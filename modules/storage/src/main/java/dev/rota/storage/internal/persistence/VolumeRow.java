package dev.rota.storage.internal.persistence;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/** One row of {@code storage.volumes}, with its attachment if it has one. */
public record VolumeRow(
    long id,
    String name,
    long ownerPartyId,
    String pool,
    String hostPath,
    long capacityBytes,
    String accessMode,
    String nodeAffinityJson,
    List<String> nodeNames,
    OffsetDateTime createdAt,
    Long attachedNodeId) {

  static final String COLUMNS =
      "v.id, v.name, v.owner_party_id, v.pool, v.host_path, v.capacity_bytes, v.access_mode,"
          + " v.node_affinity::text, v.node_names, v.created_at, a.node_id";

  /** The volumes table with its attachment, aliased as the columns expect. */
  static final String FROM =
      "storage.volumes v LEFT JOIN storage.attachments a ON a.volume_id = v.id";

  static VolumeRow from(ResultSet row) throws SQLException {
    Array nodes = row.getArray(9);
    return new VolumeRow(
        row.getLong(1),
        row.getString(2),
        row.getLong(3),
        row.getString(4),
        row.getString(5),
        row.getLong(6),
        row.getString(7),
        row.getString(8),
        Arrays.asList((String[]) nodes.getArray()),
        row.getObject(10, OffsetDateTime.class),
        row.getObject(11, Long.class));
  }
}
