package dev.rota.tenancy.internal.persistence;

import dev.rota.platform.NullableParameters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads the audit trail that the database's triggers write. */
public class AuditRepository {

  /**
   * Events that happened at or below a node, newest first: those whose recorded ancestors (the
   * node's chain when the event happened, see V9) contain the node's id. Renames and moves since do
   * not hide them, deletes are among them, and another node that later takes the same path never
   * sees them.
   */
  private static final String PAGE =
      """
      SELECT e.id, e.at, e.actor, e.action, e.entity, e.node_id, e.node_path::text,
             e.before::text, e.after::text
        FROM tenancy.audit_events e
       WHERE e.ancestor_ids @> ARRAY[?::bigint]                       -- 1 the node; GIN index
         AND e.id < COALESCE(?, 9223372036854775807)                   -- 2 cursor: last id, or null
       ORDER BY e.id DESC
       LIMIT ?                                                         -- 3 page size
      """;

  public List<AuditEvent> page(Connection c, long nodeId, Long beforeId, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      query.setLong(1, nodeId);
      NullableParameters.setLong(query, 2, beforeId);
      query.setInt(3, limit);
      List<AuditEvent> events = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          events.add(
              new AuditEvent(
                  row.getLong(1),
                  row.getObject(2, OffsetDateTime.class),
                  row.getString(3),
                  row.getString(4),
                  row.getString(5),
                  row.getObject(6, Long.class),
                  row.getString(7),
                  row.getString(8),
                  row.getString(9)));
        }
      }
      return events;
    }
  }

  /** One audit row; {@code before} and {@code after} are the row as JSON text. */
  public record AuditEvent(
      long id,
      OffsetDateTime at,
      String actor,
      String action,
      String entity,
      Long nodeId,
      String nodePath,
      String before,
      String after) {}
}
