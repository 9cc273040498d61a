package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Snapshot;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** What a node inherits: the main heads of the node and its ancestors, in one ltree query. */
public class InheritanceRepository {

  /**
   * A node or one of its ancestors, with the snapshot at the head of its main branch; {@code head}
   * and {@code snapshot} are null for a node whose configuration was never used.
   *
   * @param path the node's ltree path, as text
   */
  public record Layer(long nodeId, String path, ContentHash head, Snapshot snapshot) {}

  /** The node and its ancestors through the path's GiST index, root first, with their heads. */
  private static final String ANCESTOR_HEADS =
      """
      SELECT n.id, n.path::text, r.commit_hash, s.entries::text
        FROM tenancy.nodes leaf
        JOIN tenancy.nodes n ON n.path @> leaf.path
        LEFT JOIN configvcs.refs r ON r.node_id = n.id AND r.name = 'main'
        LEFT JOIN configvcs.commits c ON c.node_id = r.node_id AND c.hash = r.commit_hash
        LEFT JOIN configvcs.snapshots s ON s.hash = c.snapshot_hash
       WHERE leaf.id = ?                                      -- 1 the node
       ORDER BY nlevel(n.path)
      """;

  public List<Layer> ancestorHeads(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(ANCESTOR_HEADS)) {
      query.setLong(1, nodeId);
      List<Layer> layers = new ArrayList<>();
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          byte[] head = row.getBytes(3);
          String entries = row.getString(4);
          layers.add(
              new Layer(
                  row.getLong(1),
                  row.getString(2),
                  head == null ? null : ContentHash.fromBytes(head),
                  entries == null
                      ? null
                      : Snapshot.fromJson((JsonObject) JsonText.parse(entries))));
        }
      }
      return layers;
    }
  }
}
