package dev.rota.tenancy.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads the audit trail that the database's triggers write. */
public class AuditRepository {

  /** Events of a node and of everything below it, newest first. */
  private static final String PAGE =
      """
      SELECT e.id, e.at, e.actor, e.action, e.entity, e.node_id, e.node_path::text,
             e.before::text, e.after::text
        FROM tenancy.audit_events e
       WHERE (e.node_id = ? OR e.node_path <@ (SELECT path FROM tenancy.nodes WHERE id = ?))
                                                                       -- 1, 2 the node
         AND e.id < COALESCE(?, 9223372036854775807)                   -- 3 cursor: last id, or null
       ORDER BY e.id DESC
       LIMIT ?                                                         -- 4 page size
      """;

  public List<AuditEvent> page(Connection c, long nodeId, Long beforeId, int limit)
      throws SQLException {
    try (PreparedStatement query = c.prepareStatement(PAGE)) {
      query.setLong(1, nodeId);
      query.setLong(2, nodeId);
      NodeRepository.setLong(query, 3, beforeId);
      query.setInt(4, limit);
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
