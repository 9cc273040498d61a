package dev.rota.queue.internal.persistence;

import static dev.rota.platform.NullableParameters.setLong;

import dev.rota.tenancy.Authorization.Visibility;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of tasks across the tenancy tree and a pool's queue. What a caller sees is decided by the
 * database in the same statement ({@code node.path <@ the caller's subtrees}, over the GiST index
 * of the tree), never by walking the tree in Java.
 */
public class TaskQueryRepository {

  /**
   * Tasks the caller sees, newest first; each filter applies when given. The subtree filter takes
   * the node's own subtree, so a project's list includes its subprojects' tasks.
   */
  private static final String LIST =
      """
      WITH f AS (
        SELECT ?::boolean AS everything,          -- 1 the caller sees every node
               ?::ltree[] AS seen,                -- 2 the caller's subtrees
               ?::bigint AS node_id,              -- 3 only this node's subtree, or null
               ?::text AS pool,                   -- 4 only this pool, or null
               ?::text AS state,                  -- 5 only this state, or null
               ?::text AS priority_class,         -- 6 only this class, or null
               ?::bigint AS before_id)            -- 7 cursor: the last id shown, or null
      SELECT %s
        FROM f, queue.tasks t
        JOIN tenancy.nodes n ON n.id = t.node_id
       WHERE (f.everything OR n.path <@ f.seen)
         AND (f.node_id IS NULL
              OR n.path <@ (SELECT path FROM tenancy.nodes WHERE id = f.node_id))
         AND (f.pool IS NULL OR t.pool = f.pool)
         AND (f.state IS NULL OR t.state = f.state)
         AND (f.priority_class IS NULL OR t.priority_class = f.priority_class)
         AND (f.before_id IS NULL OR t.id < f.before_id)
       ORDER BY t.id DESC
       LIMIT ?                                    -- 8 page size
      """
          .formatted(TaskRow.COLUMNS);

  /**
   * The pool's pending tasks in admission order (as AdmissionRepository.PENDING orders them) with
   * their 1-based position and whether the caller sees each one's node.
   */
  private static final String QUEUE =
      """
      WITH queue AS (
        SELECT %s,
               (? OR n.path <@ ?::ltree[]) AS visible, -- 1 sees every node, 2 the caller's subtrees
               row_number() OVER (ORDER BY t.priority DESC, t.queued_at, t.id) AS position
          FROM queue.tasks t
          JOIN tenancy.nodes n ON n.id = t.node_id
         WHERE t.pool = ? AND t.state = 'pending')    -- 3 pool
      SELECT * FROM queue
       WHERE position > ?                             -- 4 cursor: the last position shown
       ORDER BY position
       LIMIT ?                                        -- 5 page size
      """
          .formatted(TaskRow.COLUMNS);

  /** A pool is known while the cluster has a node in it or a task waits for it. */
  private static final String POOL_KNOWN =
      """
      SELECT EXISTS (SELECT 1 FROM queue.cluster_nodes WHERE pool = ?)                 -- 1 pool
          OR EXISTS (SELECT 1 FROM queue.tasks WHERE pool = ? AND state = 'pending')  -- 2 pool
      """;

  /**
   * Where a pending task stands now, in one statement (one snapshot): its place in the pool's
   * admission order and what the pool's schedulable nodes have free for its gang.
   */
  private static final String STANDING =
      """
      WITH me AS (
        SELECT pool, priority, queued_at, id, gpus_per_replica
          FROM queue.tasks WHERE id = ?),                          -- 1 task id
      free AS (
        SELECT GREATEST(c.allocatable_gpus - c.held_gpus - c.foreign_gpus, 0) AS gpus
          FROM queue.cluster_nodes c, me
         WHERE c.pool = me.pool AND c.ready AND NOT c.unschedulable)
      SELECT (SELECT count(*) + 1 FROM queue.tasks o, me
               WHERE o.pool = me.pool AND o.state = 'pending'
                 AND (o.priority > me.priority
                      OR (o.priority = me.priority AND (o.queued_at, o.id) < (me.queued_at, me.id)))),
             (SELECT count(*) FROM queue.tasks o, me WHERE o.pool = me.pool AND o.state = 'pending'),
             (SELECT count(*) FROM free),
             (SELECT COALESCE(sum(gpus), 0) FROM free),
             (SELECT COALESCE(max(gpus), 0) FROM free),
             (SELECT count(*) FROM free, me WHERE free.gpus >= me.gpus_per_replica),
             (SELECT COALESCE(sum(free.gpus / me.gpus_per_replica), 0) FROM free, me)
      """;

  /** The filters of a task list; null means any. */
  public record Filter(Long nodeId, String pool, String state, String priorityClass) {}

  /** One entry of a pool's queue. */
  public record QueueEntry(long position, TaskRow task, boolean visible) {}

  /**
   * A pending task's place and what its pool has free now.
   *
   * @param position 1-based place in the pool's admission order
   * @param queueLength pending tasks of the pool
   * @param schedulableNodes Ready, uncordoned nodes of the pool
   * @param freeGpus free GPUs on those nodes together
   * @param largestFreeOnNode the most free GPUs on one of them
   * @param nodesFittingReplica nodes with room for one replica of the task
   * @param replicaSlots replicas of the task the pool could take now
   */
  public record Standing(
      long position,
      long queueLength,
      long schedulableNodes,
      long freeGpus,
      long largestFreeOnNode,
      long nodesFittingReplica,
      long replicaSlots) {}

  public List<TaskRow> list(Connection c, Visibility seen, Filter filter, Long beforeId, int limit)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(LIST)) {
      select.setBoolean(1, seen.everything());
      select.setArray(2, c.createArrayOf("text", seen.subtrees().toArray()));
      setLong(select, 3, filter.nodeId());
      select.setString(4, filter.pool());
      select.setString(5, filter.state());
      select.setString(6, filter.priorityClass());
      setLong(select, 7, beforeId);
      select.setInt(8, limit);
      List<TaskRow> tasks = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          tasks.add(TaskRow.from(row));
        }
      }
      return tasks;
    }
  }

  public List<QueueEntry> queue(
      Connection c, String pool, Visibility seen, long afterPosition, int limit)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(QUEUE)) {
      select.setBoolean(1, seen.everything());
      select.setArray(2, c.createArrayOf("text", seen.subtrees().toArray()));
      select.setString(3, pool);
      select.setLong(4, afterPosition);
      select.setInt(5, limit);
      List<QueueEntry> entries = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          entries.add(
              new QueueEntry(
                  row.getLong("position"), TaskRow.from(row), row.getBoolean("visible")));
        }
      }
      return entries;
    }
  }

  public boolean poolKnown(Connection c, String pool) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(POOL_KNOWN)) {
      select.setString(1, pool);
      select.setString(2, pool);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  public Standing standing(Connection c, long taskId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(STANDING)) {
      select.setLong(1, taskId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return new Standing(
            row.getLong(1),
            row.getLong(2),
            row.getLong(3),
            row.getLong(4),
            row.getLong(5),
            row.getLong(6),
            row.getLong(7));
      }
    }
  }
}
