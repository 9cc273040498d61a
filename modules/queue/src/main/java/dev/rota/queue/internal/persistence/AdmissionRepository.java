package dev.rota.queue.internal.persistence;

import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.domain.Wait;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SQL of one admission round in a pool. The caller holds the pool's admission lock for the
 * transaction, so rounds of one pool run one at a time while other pools proceed in parallel.
 */
public class AdmissionRepository {

  /** Loose index scan over the pending index: one probe per pool, however deep the queue. */
  private static final String POOLS_WITH_PENDING =
      """
      WITH RECURSIVE pools AS (
        (SELECT pool FROM queue.tasks WHERE state = 'pending' ORDER BY pool LIMIT 1)
        UNION ALL
        SELECT (SELECT t.pool FROM queue.tasks t
                 WHERE t.state = 'pending' AND t.pool > pools.pool ORDER BY t.pool LIMIT 1)
          FROM pools WHERE pools.pool IS NOT NULL)
      SELECT pool FROM pools WHERE pool IS NOT NULL
      """;

  /** Serializes admission per pool; a round that does not get it leaves the pool to its holder. */
  private static final String TRY_LOCK_POOL =
      "SELECT pg_try_advisory_xact_lock(hashtextextended('queue.admission:' || ?, 0))"; // 1 pool

  /** The same lock, waited for: a rehearsal (simulate) waits for a round instead of skipping. */
  private static final String LOCK_POOL =
      "SELECT pg_advisory_xact_lock(hashtextextended('queue.admission:' || ?, 0))"; // 1 pool

  /**
   * Pending tasks of the pool in admission order. SKIP LOCKED: a task being cancelled right now is
   * left for the next round instead of making this one wait.
   */
  private static final String PENDING =
      """
      SELECT %s, extract(epoch FROM t.max_runtime)::bigint AS max_runtime_seconds,
             t.node_names AS task_node_names
        FROM queue.tasks t
       WHERE t.pool = ? AND t.state = 'pending'          -- 1 pool
       ORDER BY t.priority DESC, t.queued_at, t.id
       LIMIT ?                                           -- 2 batch size
         FOR UPDATE SKIP LOCKED
      """
          .formatted(TaskRow.COLUMNS);

  /** The next page of the same order, after the last task of the previous one (keyset). */
  private static final String PENDING_AFTER =
      """
      SELECT %s, extract(epoch FROM t.max_runtime)::bigint AS max_runtime_seconds,
             t.node_names AS task_node_names
        FROM queue.tasks t
       WHERE t.pool = ? AND t.state = 'pending'          -- 1 pool
         AND (t.priority < ?                             -- 2 the last task's priority
              OR (t.priority = ?                         -- 3 the same
                  AND (t.queued_at, t.id) > (?, ?)))     -- 4 its queued_at, 5 its id
       ORDER BY t.priority DESC, t.queued_at, t.id
       LIMIT ?                                           -- 6 batch size
         FOR UPDATE SKIP LOCKED
      """
          .formatted(TaskRow.COLUMNS);

  /** GPUs free on the pool's schedulable nodes together: 0 means nothing more can start. */
  private static final String FREE_IN_POOL =
      """
      SELECT COALESCE(sum(GREATEST(allocatable_gpus - held_gpus - foreign_gpus, 0)), 0)
        FROM queue.cluster_nodes
       WHERE pool = ? AND ready AND NOT unschedulable    -- 1 pool
      """;

  /**
   * The task's quota chain in the pool with what each level's subtree already uses there and over
   * all pools (queue.quota_used, V28: one GiST walk up, one down per level; preempting tasks count,
   * their GPUs are still held). A pending task that preempted as in quota counts as using its GPUs
   * already: its guarantee was promised to it, and another task that took it meanwhile could
   * reclaim from the preemptor's own victims' chain, a preemption cycle (QueueSettlesIT found it).
   */
  private static final String QUOTA_LEVELS =
      """
      SELECT c.node_id, u.in_pool, u.overall,
             COALESCE(c.pool_guaranteed_gpus, c.total_guaranteed_gpus),
             c.total_guaranteed_gpus, c.pool_gpu_limit, c.total_gpu_limit
        FROM tenancy.pool_quota_chain(?, ?) c            -- 1 the task's node, 2 pool
        CROSS JOIN LATERAL queue.quota_used(c.node_id, ?, -- 3 pool
                                            ?::bigint[], -- 4 counted as gone: the task, victims
                                            true, true) u
       ORDER BY c.depth
      """;

  /**
   * "A borrowing task becomes in-quota when guaranteed room frees up" (issue 12): the pool's
   * admitted and running borrowing tasks of every project whose whole quota chain holds no more
   * than its guarantees, in the pool and overall, counting what it will hold once its preempting
   * tasks left. What a level uses counts its borrowing tasks already, so a project's borrowers are
   * promoted together or not at all, whatever their order. Left borrowing, such a task could be
   * taken as a borrower (rules (b) and (c)) by a task that then borrows, and come back in quota,
   * with room in its guarantee, to reclaim from its preemptor: a ping-pong (QueueSettlesIT found
   * it). Run at the start of every round and after every preemption decision (its victims are
   * leaving).
   */
  private static final String PROMOTE =
      """
      WITH borrowing AS (        -- from the index placements_borrowing_order alone
        SELECT DISTINCT project_id AS project
          FROM queue.placements
         WHERE pool = ? AND NOT in_quota                           -- 1 pool
           AND task_state IN ('admitted', 'running')
      ), chains AS MATERIALIZED (
        SELECT b.project, c.node_id AS level, c.depth,
               COALESCE(c.pool_guaranteed_gpus, c.total_guaranteed_gpus) AS guaranteed_in_pool,
               c.total_guaranteed_gpus AS guaranteed
          FROM borrowing b
         CROSS JOIN LATERAL tenancy.pool_quota_chain(b.project, ?) c -- 2 pool
      ), own AS MATERIALIZED (   -- each project's own level first: the one most often beyond
        SELECT ch.project
          FROM chains ch
         CROSS JOIN LATERAL queue.quota_used(ch.level, ?, '{}'::bigint[], false, true) u -- 3 pool
         WHERE ch.depth = 0
           AND u.in_pool <= ch.guaranteed_in_pool AND u.overall <= ch.guaranteed
      ), above AS MATERIALIZED ( -- then, once each, the levels above the projects within it
        SELECT l.level
          FROM (SELECT DISTINCT level, guaranteed_in_pool, guaranteed
                  FROM chains
                 WHERE depth > 0 AND project IN (SELECT project FROM own)) l
         CROSS JOIN LATERAL queue.quota_used(l.level, ?, '{}'::bigint[], false, true) u -- 4 pool
         WHERE u.in_pool > l.guaranteed_in_pool OR u.overall > l.guaranteed
      )
      UPDATE queue.tasks t SET quota_mode = 'in_quota'
       WHERE t.pool = ? AND t.state IN ('admitted', 'running')      -- 5 pool
         AND t.quota_mode = 'borrowing'
         AND t.node_id IN (SELECT project FROM own
                           EXCEPT
                           SELECT project FROM chains WHERE level IN (SELECT level FROM above))
      """;

  /**
   * Best fit for a gang: each schedulable node of the pool that the task may use (all, or those its
   * volumes live on) offers as many slots as replicas fit in its free GPUs, the fullest nodes
   * first; the first {@code replicas} slots win. GPUs that preempted victims freed for another
   * pending preemptor are not free for this task. The candidate nodes are locked, so the mirror
   * cannot change them under the decision.
   */
  private static final String SLOTS =
      """
      WITH candidates AS (
        SELECT name, free
          FROM (SELECT n.name, n.allocatable_gpus - n.held_gpus - n.foreign_gpus - %s AS free
                  FROM queue.cluster_nodes n
                 WHERE n.pool = ?                                -- 2 pool
                   AND n.ready AND NOT n.unschedulable
                   AND COALESCE(n.name = ANY (?::text[]), true)  -- 3 the task's nodes, null: all
                   FOR UPDATE OF n) n
         WHERE free >= ?)                                        -- 4 GPUs per replica
      SELECT name
        FROM candidates, generate_series(1, free / ?) AS slot    -- 5 GPUs per replica
       ORDER BY free, name, slot
       LIMIT ?                                                   -- 6 replicas
      """
          .formatted(
              VictimRepository.RESERVED_FOR_OTHERS.replace("-- the task placed", "-- 1 task"));

  /**
   * Why a gang found too few slots, in numbers: the free GPUs and the replicas that fit, on the
   * pool's schedulable nodes and on those the task may use. Read after SLOTS locked the candidates;
   * the pool's other nodes are read unlocked (only the explanation depends on them).
   */
  private static final String ROOM =
      """
      SELECT COALESCE(sum(free), 0),
             COALESCE(sum(free / ?), 0),                         -- 1 GPUs per replica
             COALESCE(sum(free) FILTER (WHERE mine), 0),
             COALESCE(sum(free / ?) FILTER (WHERE mine), 0)      -- 2 GPUs per replica
        FROM (SELECT greatest(allocatable_gpus - held_gpus - foreign_gpus, 0) AS free,
                     COALESCE(name = ANY (?::text[]), true) AS mine -- 3 the task's nodes, null: all
                FROM queue.cluster_nodes
               WHERE pool = ?                                    -- 4 pool
                 AND ready AND NOT unschedulable) nodes
      """;

  private static final String PLACE =
      "INSERT INTO queue.placements (task_id, replica, node_name, gpus) VALUES (?, ?, ?, ?)";

  private static final String ADMIT =
      """
      UPDATE queue.tasks
         SET state = 'admitted', quota_mode = ?, admitted_at = now(),   -- 1 in_quota | borrowing
             wait_reason = NULL, wait_detail = NULL
       WHERE id = ?                                                     -- 2 task id
      """;

  /** Admitted: the GPUs its victims freed are no longer reserved for it (they are its own now). */
  private static final String RELEASE_RESERVATIONS =
      """
      UPDATE queue.preemptions SET released_at = now()
       WHERE preemptor_id = ? AND released_at IS NULL                    -- 1 task id
      """;

  /** Whether the task has an open decision made as in quota (it reclaimed on that promise). */
  private static final String DECIDED_IN_QUOTA =
      """
      SELECT EXISTS (SELECT FROM queue.preemptions
                      WHERE preemptor_id = ? AND released_at IS NULL     -- 1 task id
                        AND preemptor_mode = 'in_quota')
      """;

  private static final String WAIT =
      """
      UPDATE queue.tasks SET wait_reason = ?, wait_detail = ?::jsonb   -- 1 reason, 2 its numbers
       WHERE id = ?                                                    -- 3 task id
      """;

  private static final String REASON = "SELECT set_config('rota.queue.reason', ?, true)"; // 1

  public List<String> poolsWithPending(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(POOLS_WITH_PENDING);
        ResultSet row = select.executeQuery()) {
      List<String> pools = new ArrayList<>();
      while (row.next()) {
        pools.add(row.getString(1));
      }
      return pools;
    }
  }

  public boolean tryLockPool(Connection c, String pool) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(TRY_LOCK_POOL)) {
      lock.setString(1, pool);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** Waits (up to the transaction's lock_timeout) until no round holds the pool, then holds it. */
  public void lockPool(Connection c, String pool) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(LOCK_POOL)) {
      lock.setString(1, pool);
      lock.execute();
    }
  }

  /**
   * A pending task with what admission needs beyond its row.
   *
   * @param maxRuntime the longest it runs, or null
   * @param nodeNames the nodes it may be placed on (where its volumes live), or null: any
   */
  public record Pending(TaskRow task, Duration maxRuntime, List<String> nodeNames) {}

  /**
   * Free room for a gang.
   *
   * @param freeInPool free GPUs on the pool's schedulable nodes together
   * @param placeableInPool replicas that fit on those nodes, one node's free GPUs at a time
   * @param freeOnTaskNodes free GPUs on the nodes the task may use
   * @param placeableOnTaskNodes replicas that fit on the nodes the task may use
   */
  public record Room(
      int freeInPool, int placeableInPool, int freeOnTaskNodes, int placeableOnTaskNodes) {}

  /**
   * The next page of pending tasks in admission order: from the start when {@code after} is null,
   * else after that task.
   */
  public List<Pending> pending(Connection c, String pool, TaskRow after, int limit)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(after == null ? PENDING : PENDING_AFTER)) {
      select.setString(1, pool);
      if (after == null) {
        select.setInt(2, limit);
      } else {
        select.setInt(2, after.priority());
        select.setInt(3, after.priority());
        select.setTimestamp(4, java.sql.Timestamp.from(after.queuedAt()));
        select.setLong(5, after.id());
        select.setInt(6, limit);
      }
      List<Pending> tasks = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          long seconds = row.getLong("max_runtime_seconds");
          Duration maxRuntime = row.wasNull() ? null : Duration.ofSeconds(seconds);
          Array nodes = row.getArray("task_node_names");
          tasks.add(
              new Pending(
                  TaskRow.from(row),
                  maxRuntime,
                  nodes == null ? null : List.of((String[]) nodes.getArray())));
        }
      }
      return tasks;
    }
  }

  public int freeInPool(Connection c, String pool) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(FREE_IN_POOL)) {
      select.setString(1, pool);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  public List<QuotaCheck.Level> quotaLevels(Connection c, TaskRow task) throws SQLException {
    return quotaLevels(c, task, new Long[0]);
  }

  /** The chain as it will be once the {@code gone} tasks (victims) no longer hold GPUs. */
  public List<QuotaCheck.Level> quotaLevels(Connection c, TaskRow task, Long[] gone)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(QUOTA_LEVELS)) {
      Long[] counted = Arrays.copyOf(gone, gone.length + 1);
      counted[gone.length] = task.id();
      select.setLong(1, task.nodeId());
      select.setString(2, task.pool());
      select.setString(3, task.pool());
      select.setArray(4, c.createArrayOf("bigint", counted));
      List<QuotaCheck.Level> levels = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          levels.add(
              new QuotaCheck.Level(
                  row.getLong(1),
                  row.getInt(2),
                  row.getInt(3),
                  row.getInt(4),
                  row.getInt(5),
                  (Integer) row.getObject(6),
                  (Integer) row.getObject(7)));
        }
      }
      return levels;
    }
  }

  /**
   * Promotes the pool's borrowing tasks whose tenant holds no more than its guarantees (PROMOTE).
   */
  public int promote(Connection c, String pool) throws SQLException {
    try (PreparedStatement update = c.prepareStatement(PROMOTE)) {
      update.setString(1, pool);
      update.setString(2, pool);
      update.setString(3, pool);
      update.setString(4, pool);
      update.setString(5, pool);
      return update.executeUpdate();
    }
  }

  /** The nodes for each replica, best fit; fewer than the replicas when the gang does not fit. */
  public List<String> slots(Connection c, Pending pending) throws SQLException {
    TaskRow task = pending.task();
    try (PreparedStatement select = c.prepareStatement(SLOTS)) {
      select.setLong(1, task.id());
      select.setString(2, task.pool());
      select.setArray(3, names(c, pending.nodeNames()));
      select.setInt(4, task.gpusPerReplica());
      select.setInt(5, task.gpusPerReplica());
      select.setInt(6, task.replicas());
      List<String> nodes = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          nodes.add(row.getString(1));
        }
      }
      return nodes;
    }
  }

  /** The room for the task's gang in its pool and on the nodes it may use. */
  public Room room(Connection c, Pending pending) throws SQLException {
    TaskRow task = pending.task();
    try (PreparedStatement select = c.prepareStatement(ROOM)) {
      select.setInt(1, task.gpusPerReplica());
      select.setInt(2, task.gpusPerReplica());
      select.setArray(3, names(c, pending.nodeNames()));
      select.setString(4, task.pool());
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return new Room(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4));
      }
    }
  }

  private static Array names(Connection c, List<String> nodeNames) throws SQLException {
    return nodeNames == null ? null : c.createArrayOf("text", nodeNames.toArray());
  }

  /** Books the gang on its nodes and marks the task admitted, recording why. */
  public void admit(Connection c, TaskRow task, List<String> nodes, boolean inQuota)
      throws SQLException {
    try (PreparedStatement place = c.prepareStatement(PLACE)) {
      for (int replica = 0; replica < nodes.size(); replica++) {
        place.setLong(1, task.id());
        place.setInt(2, replica);
        place.setString(3, nodes.get(replica));
        place.setInt(4, task.gpusPerReplica());
        place.addBatch();
      }
      place.executeBatch();
    }
    reason(c, inQuota ? "admitted-in-quota" : "admitted-borrowing");
    try (PreparedStatement admit = c.prepareStatement(ADMIT)) {
      admit.setString(1, inQuota ? "in_quota" : "borrowing");
      admit.setLong(2, task.id());
      admit.executeUpdate();
    }
    try (PreparedStatement release = c.prepareStatement(RELEASE_RESERVATIONS)) {
      release.setLong(1, task.id());
      release.executeUpdate();
    }
  }

  /**
   * Whether the task holds GPUs kept from a decision it made as in quota: it reclaimed them on the
   * promise of its guarantee. Admitted borrowing on them, its victim (borrowing too, of higher
   * priority) could take them back by rule (c), and it could reclaim them again once its guarantee
   * freed: the ping-pong issue 12 forbids. So such a task waits, keeping them, until it is in quota
   * (another task of its tenant holds the guarantee meanwhile).
   */
  public boolean decidedInQuota(Connection c, TaskRow task) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(DECIDED_IN_QUOTA)) {
      select.setLong(1, task.id());
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** Records why a pending task waits, for explain; not a transition. */
  public void waiting(Connection c, TaskRow task, Wait why) throws SQLException {
    try (PreparedStatement wait = c.prepareStatement(WAIT)) {
      wait.setString(1, why.reason());
      wait.setString(2, why.detailJson());
      wait.setLong(3, task.id());
      wait.executeUpdate();
    }
  }

  private static void reason(Connection c, String reason) throws SQLException {
    try (PreparedStatement set = c.prepareStatement(REASON)) {
      set.setString(1, reason);
      set.execute();
    }
  }
}
