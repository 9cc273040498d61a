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
   * Events of a node and of everything below it, newest first: of the nodes below it now (by id, so
   * renames and moves since do not hide them) and of those that were below it when the event
   * happened (by the recorded path, which also keeps deleted nodes' events).
   */
  private static final String PAGE =
      """
      WITH subtree AS (
        SELECT n.id, n.path FROM tenancy.nodes n
         WHERE n.path <@ (SELECT path FROM tenancy.nodes WHERE id = ?))   -- 1 the node
      SELECT e.id, e.at, e.actor, e.action, e.entity, e.node_id, e.node_path::text,
             e.before::text, e.after::text
        FROM tenancy.audit_events e
       WHERE (e.node_id = ?                                            -- 2 the node
              OR e.node_id IN (SELECT id FROM subtree)
              OR e.node_path <@ (SELECT path FROM subtree WHERE id = ?)) -- 3 the node
         AND e.id < COALESCE(?, 9223372036854775807)                   -- 4 cursor: last id, or null
       ORDER BY e.id DESC
       LIMIT ?                                                         -- 5 page size
      """;

  public List<AuditEvent> page(Connection c, long nodeId, Long beforeId, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      query.setLong(1, nodeId);
      query.setLong(2, nodeId);
      query.setLong(3, nodeId);
      NullableParameters.setLong(query, 4, beforeId);
      query.setInt(5, limit);
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
