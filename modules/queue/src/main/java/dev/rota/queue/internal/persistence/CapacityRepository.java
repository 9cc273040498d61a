package dev.rota.queue.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The queue's mirror of the cluster: PriorityClasses and GPU nodes as the cluster reports them.
 * Held GPUs are never written here; the placements' trigger keeps them.
 */
public class CapacityRepository {

  private static final String UPSERT_CLASS =
      """
      INSERT INTO queue.priority_classes AS p (name, value, preemption_policy, global_default)
      VALUES (?, ?, ?, ?)        -- 1 name, 2 value, 3 PreemptLowerPriority | Never, 4 global default
      ON CONFLICT (name) DO UPDATE
         SET value = EXCLUDED.value, preemption_policy = EXCLUDED.preemption_policy,
             global_default = EXCLUDED.global_default, observed_at = now()
      """;

  private static final String UPSERT_NODE =
      """
      INSERT INTO queue.cluster_nodes AS n
             (name, pool, allocatable_gpus, ready, unschedulable, foreign_gpus)
      VALUES (?, ?, ?, ?, ?, ?)  -- 1 name, 2 pool or null, 3 allocatable GPUs, 4 Ready,
                                 -- 5 cordoned, 6 GPUs requested by Pods Rota did not create
      ON CONFLICT (name) DO UPDATE
         SET pool = EXCLUDED.pool, allocatable_gpus = EXCLUDED.allocatable_gpus,
             ready = EXCLUDED.ready, unschedulable = EXCLUDED.unschedulable,
             foreign_gpus = EXCLUDED.foreign_gpus, observed_at = now()
      """;

  /** A PriorityClass as the cluster has it. */
  public record PriorityClassRow(
      String name, int value, String preemptionPolicy, boolean globalDefault) {}

  /** A GPU node as the cluster reports it. */
  public record ClusterNodeRow(
      String name,
      String pool,
      int allocatableGpus,
      boolean ready,
      boolean unschedulable,
      int foreignGpus) {}

  public void upsert(Connection c, PriorityClassRow row) throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement(UPSERT_CLASS)) {
      upsert.setString(1, row.name());
      upsert.setInt(2, row.value());
      upsert.setString(3, row.preemptionPolicy());
      upsert.setBoolean(4, row.globalDefault());
      upsert.executeUpdate();
    }
  }

  public void upsert(Connection c, ClusterNodeRow row) throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement(UPSERT_NODE)) {
      upsert.setString(1, row.name());
      upsert.setString(2, row.pool());
      upsert.setInt(3, row.allocatableGpus());
      upsert.setBoolean(4, row.ready());
      upsert.setBoolean(5, row.unschedulable());
      upsert.setInt(6, row.foreignGpus());
      upsert.executeUpdate();
    }
  }
}
