package dev.rota.queue.internal.persistence;

import dev.rota.tenancy.Authorization.Visibility;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads of the preemption decisions kept in {@code queue.preemptions}, for explain, simulate and
 * the metrics: who preempted a task and why, whom a pending task is preempting, where a task runs
 * and until when {@code minRuntime} protects it. Whether the caller sees the other task of a
 * decision is decided in the same statement, from the caller's subtrees.
 */
public class PreemptionRecords {

  /** Every preempted attempt of the task, oldest first, with its preemptor if there is one. */
  private static final String PREEMPTED_BY =
      """
      SELECT p.victim_attempt, p.preemptor_id,
             p.preemptor_id IS NOT NULL
               AND (? OR n.path <@ ?::ltree[]) AS visible,   -- 1 sees every node, 2 subtrees
             p.rule, p.node_name, p.gpus_freed, p.decided_at
        FROM queue.preemptions p
        LEFT JOIN queue.tasks t ON t.id = p.preemptor_id
        LEFT JOIN tenancy.nodes n ON n.id = t.node_id
       WHERE p.victim_id = ?                                  -- 3 the task
       ORDER BY p.victim_attempt, p.id
      """;

  /** The victims of the preemptor's open decision, in the order they were chosen. */
  private static final String VICTIMS =
      """
      SELECT p.victim_id, (? OR n.path <@ ?::ltree[]) AS visible, -- 1 every node, 2 subtrees
             p.rule, p.node_name, p.gpus_freed, p.victim_priority, p.victim_quota_mode,
             v.state = 'preempting' AND v.attempt = p.victim_attempt AS outstanding,
             p.decided_at, p.preemptor_mode
        FROM queue.preemptions p
        JOIN queue.tasks v ON v.id = p.victim_id
        JOIN tenancy.nodes n ON n.id = v.node_id
       WHERE p.preemptor_id = ? AND p.released_at IS NULL     -- 3 the preemptor
       ORDER BY p.id
      """;

  /** Where the task holds GPUs (per cluster node) and when minRuntime stops protecting it. */
  private static final String PLACEMENT =
      """
      SELECT t.admitted_at, t.started_at,
             COALESCE(t.started_at, t.admitted_at) + t.min_runtime AS protected_until,
             pl.node_name, pl.replicas, pl.gpus
        FROM queue.tasks t
        LEFT JOIN LATERAL (SELECT node_name, count(*)::integer AS replicas,
                                  sum(gpus)::integer AS gpus
                             FROM queue.placements WHERE task_id = t.id
                            GROUP BY node_name) pl ON true
       WHERE t.id = ?                                          -- 1 the task
       ORDER BY pl.node_name
      """;

  /**
   * Preemptions per rule, and the GPU-seconds they cost: each victim's GPUs (its whole gang, which
   * its preemption stops) times how long its preempted attempt had been running when the decision
   * was made (from its {@code running} transition in task_events; an attempt that never ran lost
   * nothing). Read from the database, so every server instance reports the same totals.
   */
  private static final String TOTALS =
      """
      SELECT p.rule, count(*),
             COALESCE(sum(v.replicas * v.gpus_per_replica
                          * GREATEST(EXTRACT(EPOCH FROM p.decided_at - e.at), 0)), 0)::float8
        FROM queue.preemptions p
        JOIN queue.tasks v ON v.id = p.victim_id
        LEFT JOIN LATERAL (SELECT min(at) AS at FROM queue.task_events
                            WHERE task_id = p.victim_id AND attempt = p.victim_attempt
                              AND to_state = 'running') e ON true
       GROUP BY p.rule
      """;

  /**
   * One preempted attempt of a task.
   *
   * @param preemptorId the preemptor, or null when the caller cannot see it (or none preempted it)
   */
  public record PreemptedBy(
      int attempt,
      Long preemptorId,
      boolean preemptorVisible,
      String rule,
      String nodeName,
      int gpusFreed,
      Instant decidedAt) {}

  /**
   * A victim of a pending task's open decision.
   *
   * @param taskId the victim, or null when the caller cannot see it
   * @param outstanding its Pods are not gone yet (it still holds its GPUs)
   * @param preemptorMode the preemptor's quota mode once its victims are gone
   */
  public record VictimRecord(
      Long taskId,
      boolean visible,
      String rule,
      String nodeName,
      int gpusFreed,
      int priority,
      String quotaMode,
      boolean outstanding,
      Instant decidedAt,
      String preemptorMode) {}

  /** GPUs a task holds on one cluster node. */
  public record NodeShare(String nodeName, int replicas, int gpus) {}

  /**
   * Where a task runs.
   *
   * @param protectedUntil when its minRuntime stops protecting it; null without a minRuntime
   */
  public record Placement(
      Instant admittedAt, Instant startedAt, Instant protectedUntil, List<NodeShare> nodes) {}

  /** Preemptions of one rule and the GPU-seconds they cost. */
  public record RuleTotal(long preemptions, double gpuSecondsLost) {}

  public List<PreemptedBy> preemptedBy(Connection c, long taskId, Visibility seen)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(PREEMPTED_BY)) {
      select.setBoolean(1, seen.everything());
      select.setArray(2, c.createArrayOf("text", seen.subtrees().toArray()));
      select.setLong(3, taskId);
      List<PreemptedBy> found = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          boolean visible = row.getBoolean(3);
          found.add(
              new PreemptedBy(
                  row.getInt(1),
                  visible ? row.getLong(2) : null,
                  visible,
                  row.getString(4),
                  row.getString(5),
                  row.getInt(6),
                  row.getTimestamp(7).toInstant()));
        }
      }
      return found;
    }
  }

  public List<VictimRecord> victims(Connection c, long preemptorId, Visibility seen)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(VICTIMS)) {
      select.setBoolean(1, seen.everything());
      select.setArray(2, c.createArrayOf("text", seen.subtrees().toArray()));
      select.setLong(3, preemptorId);
      List<VictimRecord> found = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          boolean visible = row.getBoolean(2);
          found.add(
              new VictimRecord(
                  visible ? row.getLong(1) : null,
                  visible,
                  row.getString(3),
                  row.getString(4),
                  row.getInt(5),
                  row.getInt(6),
                  row.getString(7),
                  row.getBoolean(8),
                  row.getTimestamp(9).toInstant(),
                  row.getString(10)));
        }
      }
      return found;
    }
  }

  public Placement placement(Connection c, long taskId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(PLACEMENT)) {
      select.setLong(1, taskId);
      List<NodeShare> nodes = new ArrayList<>();
      Instant admittedAt = null;
      Instant startedAt = null;
      Instant protectedUntil = null;
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          admittedAt = instant(row.getTimestamp(1));
          startedAt = instant(row.getTimestamp(2));
          protectedUntil = instant(row.getTimestamp(3));
          if (row.getString(4) != null) {
            nodes.add(new NodeShare(row.getString(4), row.getInt(5), row.getInt(6)));
          }
        }
      }
      return new Placement(admittedAt, startedAt, protectedUntil, List.copyOf(nodes));
    }
  }

  public Map<String, RuleTotal> totals(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(TOTALS);
        ResultSet row = select.executeQuery()) {
      Map<String, RuleTotal> totals = new LinkedHashMap<>();
      while (row.next()) {
        totals.put(row.getString(1), new RuleTotal(row.getLong(2), row.getDouble(3)));
      }
      return totals;
    }
  }

  private static Instant instant(Timestamp at) {
    return at == null ? null : at.toInstant();
  }
}
