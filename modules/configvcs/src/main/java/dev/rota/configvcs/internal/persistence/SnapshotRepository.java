package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Snapshot;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Snapshots (path to document hash), content-addressed and immutable like the objects. */
public class SnapshotRepository {

  /** A snapshot already stored is the same snapshot: nothing to do. */
  private static final String INSERT =
      """
      INSERT INTO configvcs.snapshots (hash, entries)
      VALUES (?, ?::jsonb)                                    -- 1 hash, 2 entries {"path": "<hex>"}
      ON CONFLICT (hash) DO NOTHING
      """;

  private static final String BY_HASH =
      "SELECT entries::text FROM configvcs.snapshots WHERE hash = ?"; // 1 hash

  public void insert(Connection c, Snapshot snapshot) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setBytes(1, snapshot.hash().bytes());
      insert.setString(2, snapshot.canonical());
      insert.executeUpdate();
    }
  }

  public Optional<Snapshot> find(Connection c, ContentHash hash) throws SQLException {
    try (PreparedStatement query = c.prepareStatement(BY_HASH)) {
      query.setBytes(1, hash.bytes());
      try (ResultSet row = query.executeQuery()) {
        return row.next()
            ? Optional.of(Snapshot.fromJson((JsonObject) JsonText.parse(row.getString(1))))
            : Optional.empty();
      }
    }
  }
}
