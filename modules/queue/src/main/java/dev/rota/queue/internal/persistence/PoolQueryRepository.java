package dev.rota.queue.internal.persistence;

import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The pools as the queue sees them: their nodes from the cluster mirror, and their queues. */
public class PoolQueryRepository {

  private static final String NODES =
      """
      SELECT name, pool, allocatable_gpus, held_gpus, foreign_gpus, ready, unschedulable
        FROM queue.cluster_nodes
       WHERE pool IS NOT NULL
       ORDER BY pool, name
      """;

  /** Pending tasks per pool and class; an index-only walk of the partial pending index. */
  private static final String DEPTH =
      """
      SELECT pool, priority_class, priority, count(*)
        FROM queue.tasks
       WHERE state = 'pending'
       GROUP BY pool, priority_class, priority
       ORDER BY pool, priority DESC, priority_class
      """;

  private static final String CLASSES =
      """
      SELECT name, value, preemption_policy, global_default
        FROM queue.priority_classes
       ORDER BY value DESC, name
      """;

  /** A GPU node of a pool as last mirrored. */
  public record NodeRow(
      String name,
      String pool,
      int allocatableGpus,
      int heldGpus,
      int foreignGpus,
      boolean ready,
      boolean unschedulable) {

    /** GPUs no Pod holds; never negative, even on a node that shrank under its Pods. */
    public int freeGpus() {
      return Math.max(allocatableGpus - heldGpus - foreignGpus, 0);
    }

    /** Whether admission places new work here. */
    public boolean schedulable() {
      return ready && !unschedulable;
    }
  }

  /** How many tasks of one class wait in one pool. */
  public record DepthRow(String pool, String priorityClass, int priority, long pending) {}

  public List<NodeRow> nodes(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(NODES);
        ResultSet row = select.executeQuery()) {
      List<NodeRow> nodes = new ArrayList<>();
      while (row.next()) {
        nodes.add(
            new NodeRow(
                row.getString(1),
                row.getString(2),
                row.getInt(3),
                row.getInt(4),
                row.getInt(5),
                row.getBoolean(6),
                row.getBoolean(7)));
      }
      return nodes;
    }
  }

  public List<DepthRow> depth(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(DEPTH);
        ResultSet row = select.executeQuery()) {
      List<DepthRow> depth = new ArrayList<>();
      while (row.next()) {
        depth.add(new DepthRow(row.getString(1), row.getString(2), row.getInt(3), row.getLong(4)));
      }
      return depth;
    }
  }

  public List<PriorityClassRow> priorityClasses(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(CLASSES);
        ResultSet row = select.executeQuery()) {
      List<PriorityClassRow> classes = new ArrayList<>();
      while (row.next()) {
        classes.add(
            new PriorityClassRow(
                row.getString(1), row.getInt(2), row.getString(3), row.getBoolean(4)));
      }
      return classes;
    }
  }
}
