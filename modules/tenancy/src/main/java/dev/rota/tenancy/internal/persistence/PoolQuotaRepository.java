package dev.rota.tenancy.internal.persistence;

import static dev.rota.platform.NullableParameters.setInt;

import dev.rota.tenancy.PoolQuotas.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-pool GPU quotas of tenancy nodes. The rules (within the node's totals, children within the
 * parent per pool, race-safe) are the database's triggers in V13__tenancy_pool_quotas.sql.
 */
public class PoolQuotaRepository {

  private static final String LIST =
      """
      SELECT pool, guaranteed_gpus, gpu_limit
        FROM tenancy.pool_quotas
       WHERE node_id = ?                 -- 1 node id
       ORDER BY pool
      """;

  private static final String UPSERT =
      """
      INSERT INTO tenancy.pool_quotas AS q (node_id, pool, guaranteed_gpus, gpu_limit)
      VALUES (?, ?, ?, ?)                -- 1 node id, 2 pool, 3 guaranteed GPUs, 4 limit or null
      ON CONFLICT (node_id, pool) DO UPDATE
         SET guaranteed_gpus = EXCLUDED.guaranteed_gpus, gpu_limit = EXCLUDED.gpu_limit
      RETURNING pool, guaranteed_gpus, gpu_limit
      """;

  private static final String DELETE =
      "DELETE FROM tenancy.pool_quotas WHERE node_id = ? AND pool = ?"; // 1 node id, 2 pool

  /** One GiST walk up the tree, with the pool row of each ancestor (see the function's comment). */
  private static final String CHAIN =
      """
      SELECT node_id, depth, pool_guaranteed_gpus, pool_gpu_limit,
             total_guaranteed_gpus, total_gpu_limit
        FROM tenancy.pool_quota_chain(?, ?)      -- 1 node id, 2 pool
      """;

  /** A node's quota in one pool. */
  public record PoolQuotaRow(String pool, int guaranteedGpus, Integer gpuLimit) {

    static PoolQuotaRow from(ResultSet row) throws SQLException {
      return new PoolQuotaRow(row.getString(1), row.getInt(2), (Integer) row.getObject(3));
    }
  }

  public List<PoolQuotaRow> list(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(LIST)) {
      select.setLong(1, nodeId);
      List<PoolQuotaRow> rows = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          rows.add(PoolQuotaRow.from(row));
        }
      }
      return rows;
    }
  }

  public PoolQuotaRow put(Connection c, long nodeId, String pool, int guaranteed, Integer limit)
      throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
      upsert.setLong(1, nodeId);
      upsert.setString(2, pool);
      upsert.setInt(3, guaranteed);
      setInt(upsert, 4, limit);
      try (ResultSet row = upsert.executeQuery()) {
        row.next();
        return PoolQuotaRow.from(row);
      }
    }
  }

  /** Removes the node's row for the pool; false when it had none. */
  public boolean delete(Connection c, long nodeId, String pool) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, nodeId);
      delete.setString(2, pool);
      return delete.executeUpdate() > 0;
    }
  }

  public List<Level> chain(Connection c, long nodeId, String pool) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(CHAIN)) {
      select.setLong(1, nodeId);
      select.setString(2, pool);
      List<Level> levels = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          levels.add(
              new Level(
                  row.getLong(1),
                  row.getInt(2),
                  (Integer) row.getObject(3),
                  (Integer) row.getObject(4),
                  row.getInt(5),
                  (Integer) row.getObject(6)));
        }
      }
      return levels;
    }
  }
}
