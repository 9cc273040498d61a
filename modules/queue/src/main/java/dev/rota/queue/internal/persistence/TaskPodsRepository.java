package dev.rota.queue.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the task's Pods are made from, and the transitions their phases drive. Every transition is
 * conditional on the attempt and the state it leaves, so an observation that arrives late, twice or
 * from every server instance at once changes a task once.
 */
public class TaskPodsRepository {

  private static final String LOAD =
      """
      SELECT t.id, t.node_id, t.pool, t.state, t.attempt, t.priority_class, t.spec::text,
             extract(epoch FROM t.max_runtime)::bigint, t.dispatched_at IS NOT NULL
        FROM queue.tasks t
       WHERE t.id = ?                                          -- 1 task id
      """;

  private static final String PLACEMENTS =
      "SELECT replica, node_name, gpus FROM queue.placements WHERE task_id = ? ORDER BY replica";

  /**
   * Every replica of the attempt runs: admitted → running. Only once the dispatch is recorded: Pods
   * made by a worker whose claim ran out (it died or stalled) wait for the worker that dispatches
   * the attempt again and records it; that record enqueues this reconcile.
   */
  private static final String RUNNING =
      """
      UPDATE queue.tasks SET state = 'running', started_at = now()
       WHERE id = ? AND attempt = ? AND state = 'admitted'     -- 1 task, 2 attempt
         AND dispatched_at IS NOT NULL
      RETURNING queued_at
      """;

  /**
   * The attempt ended (succeeded or failed): the task leaves with its GPUs freed in the same
   * statement, so the next admission round sees them. As for RUNNING, only after the dispatch is
   * recorded, so that every attempt that ran has its row in queue.dispatches.
   */
  private static final String FINISH =
      """
      WITH finished AS (
        UPDATE queue.tasks SET state = ?, finished_at = now()  -- 1 succeeded | failed
         WHERE id = ? AND attempt = ?                          -- 2 task, 3 attempt
           AND state IN ('admitted', 'running') AND dispatched_at IS NOT NULL
        RETURNING id)
      , freed AS (
        DELETE FROM queue.placements p USING finished WHERE p.task_id = finished.id)
      SELECT id FROM finished
      """;

  /**
   * A preempted task whose Pods are gone goes back to the queue: pending, the next attempt, its age
   * (queued_at) kept, its admission and dispatch cleared, and its placements deleted in the same
   * statement, which frees its GPUs (for its preemptor: queue.preemptions reserves them).
   */
  private static final String REQUEUE =
      """
      WITH requeued AS (
        UPDATE queue.tasks
           SET state = 'pending', attempt = attempt + 1, quota_mode = NULL, admitted_at = NULL,
               dispatched_at = NULL, started_at = NULL, dispatch_after = NULL,
               dispatch_error = NULL, wait_reason = 'preempted', wait_detail = NULL
         WHERE id = ? AND attempt = ? AND state = 'preempting' -- 1 task, 2 attempt
        RETURNING id)
      , freed AS (
        DELETE FROM queue.placements p USING requeued WHERE p.task_id = requeued.id)
      SELECT id FROM requeued
      """;

  private static final String ACTIVE_GPUS =
      """
      SELECT COALESCE(sum(replicas * gpus_per_replica), 0)
        FROM queue.tasks
       WHERE node_id = ? AND state IN ('admitted', 'running', 'preempting') -- 1 node id
      """;

  /** Tasks whose Pods should exist or may still exist, for the full resync. */
  private static final String LIVE =
      "SELECT id FROM queue.tasks WHERE state IN ('admitted', 'running', 'preempting')";

  /** Projects and subprojects: the nodes with a namespace, hence a GPU quota. */
  private static final String NAMESPACED =
      "SELECT id FROM tenancy.nodes WHERE kind <> 'group' ORDER BY id";

  private static final String IS_NAMESPACED =
      "SELECT EXISTS (SELECT 1 FROM tenancy.nodes WHERE id = ? AND kind <> 'group')"; // 1 node

  private static final String REASON = "SELECT set_config('rota.queue.reason', ?, true)"; // 1

  /** A task as its Pods need it. */
  public record PodSource(
      long id,
      long nodeId,
      String pool,
      String state,
      int attempt,
      String priorityClass,
      String specJson,
      Long maxRuntimeSeconds,
      boolean dispatched,
      List<Placement> placements) {}

  /** Where one replica runs. */
  public record Placement(int replica, String nodeName, int gpus) {}

  public Optional<PodSource> load(Connection c, long taskId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(LOAD)) {
      select.setLong(1, taskId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new PodSource(
                row.getLong(1),
                row.getLong(2),
                row.getString(3),
                row.getString(4),
                row.getInt(5),
                row.getString(6),
                row.getString(7),
                (Long) row.getObject(8),
                row.getBoolean(9),
                placements(c, taskId)));
      }
    }
  }

  private List<Placement> placements(Connection c, long taskId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(PLACEMENTS)) {
      select.setLong(1, taskId);
      List<Placement> placements = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          placements.add(new Placement(row.getInt(1), row.getString(2), row.getInt(3)));
        }
      }
      return placements;
    }
  }

  /** When the task was submitted, if it moved to running now. */
  public Optional<Instant> running(Connection c, long taskId, int attempt) throws SQLException {
    reason(c, "pods-running");
    try (PreparedStatement update = c.prepareStatement(RUNNING)) {
      update.setLong(1, taskId);
      update.setInt(2, attempt);
      try (ResultSet row = update.executeQuery()) {
        return row.next() ? Optional.of(row.getTimestamp(1).toInstant()) : Optional.empty();
      }
    }
  }

  /** Whether the task finished now (its GPUs freed in the same statement). */
  public boolean finish(Connection c, long taskId, int attempt, String state, String reason)
      throws SQLException {
    reason(c, reason);
    try (PreparedStatement update = c.prepareStatement(FINISH)) {
      update.setString(1, state);
      update.setLong(2, taskId);
      update.setInt(3, attempt);
      try (ResultSet freed = update.executeQuery()) {
        return freed.next();
      }
    }
  }

  /** Whether the preempted task went back to pending now (its GPUs freed in the same statement). */
  public boolean requeue(Connection c, long taskId, int attempt) throws SQLException {
    reason(c, "requeued-after-preemption");
    try (PreparedStatement update = c.prepareStatement(REQUEUE)) {
      update.setLong(1, taskId);
      update.setInt(2, attempt);
      try (ResultSet requeued = update.executeQuery()) {
        return requeued.next();
      }
    }
  }

  public int activeGpus(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(ACTIVE_GPUS)) {
      select.setLong(1, nodeId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  public List<String> live(Connection c) throws SQLException {
    return ids(c, LIVE);
  }

  public List<String> namespaced(Connection c) throws SQLException {
    return ids(c, NAMESPACED);
  }

  /** Whether the node exists and has a namespace (a project or subproject). */
  public boolean namespaced(Connection c, long nodeId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(IS_NAMESPACED)) {
      select.setLong(1, nodeId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private static List<String> ids(Connection c, String sql) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql);
        ResultSet row = select.executeQuery()) {
      List<String> ids = new ArrayList<>();
      while (row.next()) {
        ids.add(String.valueOf(row.getLong(1)));
      }
      return ids;
    }
  }

  private static void reason(Connection c, String reason) throws SQLException {
    try (PreparedStatement set = c.prepareStatement(REASON)) {
      set.setString(1, reason);
      set.execute();
    }
  }
}
