package dev.rota.tenancy.internal.persistence;

import dev.rota.tenancy.NodeKind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** One row of {@code tenancy.nodes}. */
public record NodeRow(
    long id,
    NodeKind kind,
    Long parentId,
    String name,
    String label,
    String path,
    Long partyId,
    int guaranteedGpus,
    Integer gpuLimit,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {

  /** The columns {@link #from} reads, for SELECT lists (with the table alias {@code n}). */
  static final String COLUMNS =
      "n.id, n.kind::text, n.parent_id, n.name, n.label, n.path::text, n.party_id,"
          + " n.guaranteed_gpus, n.gpu_limit, n.created_at, n.updated_at";

  static NodeRow from(ResultSet row) throws SQLException {
    return new NodeRow(
        row.getLong(1),
        NodeKind.fromSql(row.getString(2)),
        row.getObject(3, Long.class),
        row.getString(4),
        row.getString(5),
        row.getString(6),
        row.getObject(7, Long.class),
        row.getInt(8),
        row.getObject(9, Integer.class),
        row.getObject(10, OffsetDateTime.class),
        row.getObject(11, OffsetDateTime.class));
  }
}
