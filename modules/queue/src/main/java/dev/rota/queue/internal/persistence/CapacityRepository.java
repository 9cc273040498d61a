package dev.rota.queue.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

  private static final String FIND_CLASS =
      """
      SELECT name, value, preemption_policy, global_default
        FROM queue.priority_classes WHERE name = ?                -- 1 the class
      """;

  private static final String CLASS_NAMES = "SELECT name FROM queue.priority_classes";

  private static final String FORGET_CLASSES =
      "DELETE FROM queue.priority_classes WHERE name <> ALL (?::text[])"; // 1 the classes seen

  /** Nodes the cluster no longer has: gone, or kept out of work while placements remain. */
  private static final String FORGET_NODES =
      """
      WITH gone AS (
        SELECT name FROM queue.cluster_nodes WHERE name <> ALL (?::text[])) -- 1 the nodes seen
      , kept AS (
        UPDATE queue.cluster_nodes n SET ready = false, observed_at = now()
          FROM gone WHERE n.name = gone.name
           AND EXISTS (SELECT 1 FROM queue.placements p WHERE p.node_name = n.name))
      DELETE FROM queue.cluster_nodes n USING gone
       WHERE n.name = gone.name
         AND NOT EXISTS (SELECT 1 FROM queue.placements p WHERE p.node_name = n.name)
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

  /** The mirrored class of that name. */
  public Optional<PriorityClassRow> findClass(Connection c, String name) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(FIND_CLASS)) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(
                new PriorityClassRow(
                    row.getString(1), row.getInt(2), row.getString(3), row.getBoolean(4)))
            : Optional.empty();
      }
    }
  }

  /** The names of every mirrored class. */
  public List<String> classNames(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(CLASS_NAMES);
        ResultSet row = select.executeQuery()) {
      List<String> names = new ArrayList<>();
      while (row.next()) {
        names.add(row.getString(1));
      }
      return names;
    }
  }

  public void forgetClassesExcept(Connection c, List<String> seen) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(FORGET_CLASSES)) {
      delete.setArray(1, c.createArrayOf("text", seen.toArray()));
      delete.executeUpdate();
    }
  }

  public void forgetNodesExcept(Connection c, List<String> seen) throws SQLException {
    try (PreparedStatement forget = c.prepareStatement(FORGET_NODES)) {
      forget.setArray(1, c.createArrayOf("text", seen.toArray()));
      forget.executeUpdate();
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
