package dev.rota.queue.internal.persistence;

import static dev.rota.platform.NullableParameters.setLong;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tasks and their transitions. */
public class TaskRepository {

  /**
   * A new pending task, or the one this submitter already made with the same Idempotency-Key (the
   * unique constraint decides, so two racing retries make one task). The class's value is copied: a
   * task keeps the priority it was submitted with.
   */
  private static final String SUBMIT =
      """
      WITH class AS (
        SELECT name, value FROM queue.priority_classes
         WHERE name = COALESCE(?, (SELECT name FROM queue.priority_classes   -- 1 class or null
                                    WHERE global_default)))
      INSERT INTO queue.tasks AS t (node_id, pool, replicas, gpus_per_replica, priority_class,
                                    priority, spec, min_runtime, max_runtime, submitted_by,
                                    idempotency_key, node_names)
      SELECT ?, ?, ?, ?,                  -- 2 node id, 3 pool, 4 replicas, 5 GPUs per replica
             class.name, class.value,
             ?::jsonb,                    -- 6 the Pods' spec
             make_interval(secs => ?), make_interval(secs => ?), -- 7 min, 8 max runtime (s) or null
             ?, ?,                        -- 9 submitter, 10 Idempotency-Key or null
             ?::text[]                    -- 11 the nodes its volumes live on, or null: any
        FROM class
      ON CONFLICT ON CONSTRAINT tasks_idempotency DO NOTHING
      RETURNING t.id
      """;

  private static final String BY_IDEMPOTENCY_KEY =
      "SELECT id FROM queue.tasks WHERE submitted_by = ? AND idempotency_key = ?"; // 1, 2

  private static final String FIND =
      "SELECT " + TaskRow.COLUMNS + " FROM queue.tasks t WHERE t.id = ?"; // 1 task id

  private static final String EVENTS =
      """
      SELECT from_state, to_state, attempt, reason, actor, at
        FROM queue.task_events
       WHERE task_id = ?                  -- 1 task id
       ORDER BY id
      """;

  private static final String POOL_CAPACITY =
      """
      SELECT count(*), COALESCE(max(allocatable_gpus), 0), COALESCE(sum(allocatable_gpus / ?), 0)
        FROM queue.cluster_nodes                  -- 1 GPUs per replica
       WHERE pool = ?                             -- 2 pool
         AND COALESCE(name = ANY (?::text[]), true) -- 3 only these nodes, or null: all
      """;

  /**
   * Cancels a task that has not finished and frees its GPUs in the same transaction; returns the
   * state it had, or nothing when it had already finished.
   */
  private static final String CANCEL =
      """
      WITH before AS (
        SELECT id, state FROM queue.tasks WHERE id = ? FOR UPDATE)       -- 1 task id
      , cancelled AS (
        UPDATE queue.tasks t SET state = 'cancelled', finished_at = now()
          FROM before
         WHERE t.id = before.id AND before.state IN ('pending', 'admitted', 'running')
        RETURNING t.id)
      , freed AS (
        DELETE FROM queue.placements p USING cancelled WHERE p.task_id = cancelled.id)
      SELECT before.state, cancelled.id IS NOT NULL
        FROM before LEFT JOIN cancelled ON cancelled.id = before.id
      """;

  private static final String REASON = "SELECT set_config('rota.queue.reason', ?, true)"; // 1

  /** What is submitted. */
  public record Submission(
      long nodeId,
      String pool,
      int replicas,
      int gpusPerReplica,
      String priorityClass,
      String specJson,
      Duration minRuntime,
      Duration maxRuntime,
      String submittedBy,
      String idempotencyKey,
      List<Mount> volumes) {

    public Submission {
      volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** A submission that mounts no volume. */
    public Submission(
        long nodeId,
        String pool,
        int replicas,
        int gpusPerReplica,
        String priorityClass,
        String specJson,
        Duration minRuntime,
        Duration maxRuntime,
        String submittedBy,
        String idempotencyKey) {
      this(
          nodeId,
          pool,
          replicas,
          gpusPerReplica,
          priorityClass,
          specJson,
          minRuntime,
          maxRuntime,
          submittedBy,
          idempotencyKey,
          List.of());
    }
  }

  /** A volume the task's replicas mount (its claim name is in the spec). */
  public record Mount(long volumeId, String mountPath, boolean readOnly) {}

  /** One transition. */
  public record Event(
      String from, String to, int attempt, String reason, String actor, Instant at) {}

  /**
   * Submits; empty when the class does not exist (or, without a class, when the cluster has no
   * global default).
   */
  public Optional<Long> submit(Connection c, Submission s) throws SQLException {
    return submit(c, s, null);
  }

  /**
   * Submits a task that runs only on {@code nodeNames} (the nodes its volumes live on); null: on
   * any node of its pool.
   */
  public Optional<Long> submit(Connection c, Submission s, List<String> nodeNames)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(SUBMIT)) {
      insert.setString(1, s.priorityClass());
      insert.setLong(2, s.nodeId());
      insert.setString(3, s.pool());
      insert.setInt(4, s.replicas());
      insert.setInt(5, s.gpusPerReplica());
      insert.setString(6, s.specJson());
      setLong(insert, 7, s.minRuntime() == null ? null : s.minRuntime().toSeconds());
      setLong(insert, 8, s.maxRuntime() == null ? null : s.maxRuntime().toSeconds());
      insert.setString(9, s.submittedBy());
      insert.setString(10, s.idempotencyKey());
      insert.setArray(11, nodeNames == null ? null : c.createArrayOf("text", nodeNames.toArray()));
      try (ResultSet row = insert.executeQuery()) {
        if (row.next()) {
          return Optional.of(row.getLong(1));
        }
      }
    }
    return s.idempotencyKey() == null ? Optional.empty() : earlier(c, s);
  }

  private Optional<Long> earlier(Connection c, Submission s) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(BY_IDEMPOTENCY_KEY)) {
      select.setString(1, s.submittedBy());
      select.setString(2, s.idempotencyKey());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(row.getLong(1)) : Optional.empty();
      }
    }
  }

  public PoolCapacity capacity(Connection c, String pool, int gpusPerReplica) throws SQLException {
    return capacity(c, pool, gpusPerReplica, null);
  }

  /** What the pool's nodes among {@code nodeNames} (null: all) hold at most. */
  public PoolCapacity capacity(
      Connection c, String pool, int gpusPerReplica, List<String> nodeNames) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(POOL_CAPACITY)) {
      select.setInt(1, gpusPerReplica);
      select.setString(2, pool);
      select.setArray(3, nodeNames == null ? null : c.createArrayOf("text", nodeNames.toArray()));
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return new PoolCapacity(row.getInt(1), row.getInt(2), row.getInt(3));
      }
    }
  }

  /**
   * Cancels the task; returns whether it did, and the state the task was in.
   *
   * @return empty when there is no such task
   */
  public Optional<Cancellation> cancel(Connection c, long id, String reason) throws SQLException {
    try (PreparedStatement set = c.prepareStatement(REASON)) {
      set.setString(1, reason);
      set.execute();
    }
    try (PreparedStatement cancel = c.prepareStatement(CANCEL)) {
      cancel.setLong(1, id);
      try (ResultSet row = cancel.executeQuery()) {
        return row.next()
            ? Optional.of(new Cancellation(row.getString(1), row.getBoolean(2)))
            : Optional.empty();
      }
    }
  }

  /** The outcome of a cancel: the state before, and whether the task was cancelled. */
  public record Cancellation(String stateBefore, boolean cancelled) {}

  public Optional<TaskRow> find(Connection c, long id) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(FIND)) {
      select.setLong(1, id);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(TaskRow.from(row)) : Optional.empty();
      }
    }
  }

  public List<Event> events(Connection c, long id) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(EVENTS)) {
      select.setLong(1, id);
      List<Event> events = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          events.add(
              new Event(
                  row.getString(1),
                  row.getString(2),
                  row.getInt(3),
                  row.getString(4),
                  row.getString(5),
                  row.getTimestamp(6).toInstant()));
        }
      }
      return events;
    }
  }
}
