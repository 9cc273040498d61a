package dev.rota.queue.internal.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** A task as stored. */
public record TaskRow(
    long id,
    long nodeId,
    String pool,
    int replicas,
    int gpusPerReplica,
    String priorityClass,
    int priority,
    String state,
    int attempt,
    String quotaMode,
    String waitReason,
    String waitDetail,
    Instant queuedAt,
    String submittedBy) {

  static final String COLUMNS =
      "t.id, t.node_id, t.pool, t.replicas, t.gpus_per_replica, t.priority_class, t.priority,"
          + " t.state, t.attempt, t.quota_mode, t.wait_reason, t.wait_detail::text,"
          + " t.queued_at, t.submitted_by";

  /** All GPUs of the gang. */
  public int gpus() {
    return replicas * gpusPerReplica;
  }

  static TaskRow from(ResultSet row) throws SQLException {
    return new TaskRow(
        row.getLong(1),
        row.getLong(2),
        row.getString(3),
        row.getInt(4),
        row.getInt(5),
        row.getString(6),
        row.getInt(7),
        row.getString(8),
        row.getInt(9),
        row.getString(10),
        row.getString(11),
        row.getString(12),
        row.getTimestamp(13).toInstant(),
        row.getString(14));
  }
}
