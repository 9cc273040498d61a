package dev.rota.queue.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Preemption as data: which admitted or running tasks a pending task T that does not fit would
 * preempt, found by one statement, and the decision applied in the caller's (admission)
 * transaction. The statement locks nothing; the victims it chose are then locked FOR UPDATE SKIP
 * LOCKED, and a victim a racing preemptor took first makes the plan run again without it, so two
 * preemptors never pick the same victim; the unique (victim, attempt) of queue.preemptions refuses
 * it regardless.
 */
public class VictimRepository {

  /**
   * The GPUs on node {@code n} kept for other pending preemptors: each preemptor with an open
   * decision on the node (any of the chosen nodes its victim frees, queue.preemption_nodes) holds a
   * replica's worth there, less what its victims still hold on it (those GPUs are counted as held
   * already). So both the GPUs its victims free and those that were free at the decision stay its
   * own until it is admitted, decides anew (released_at) or stops waiting. Used by this statement
   * and by admission's slots; the one parameter is the task being placed (its own reservation is
   * its to use).
   */
  public static final String RESERVED_FOR_OTHERS =
      """
      COALESCE((SELECT sum(greatest(rp.gpus_per_replica - COALESCE(
                         (SELECT sum(pl.gpus)
                            FROM queue.preemptions r2
                            JOIN queue.tasks rv ON rv.id = r2.victim_id
                                 AND rv.state = 'preempting' AND rv.attempt = r2.victim_attempt
                            JOIN queue.placements pl
                                 ON pl.task_id = rv.id AND pl.node_name = n.name
                           WHERE r2.preemptor_id = rp.id AND r2.released_at IS NULL), 0), 0))
                  FROM (SELECT DISTINCT r.preemptor_id
                          FROM queue.preemptions r
                          JOIN queue.preemption_nodes rn
                               ON rn.preemption_id = r.id AND rn.node_name = n.name
                         WHERE r.released_at IS NULL
                           AND r.preemptor_id <> ?) open            -- the task placed
                  JOIN queue.tasks rp ON rp.id = open.preemptor_id AND rp.state = 'pending'),
               0)
      """;

  /**
   * Victims for T's replicas, each on a cluster node of its own: per node, the victims that make
   * room for one replica; the cheapest nodes win, as many as the replicas that do not fit the free
   * GPUs already. Candidates (rules of issue 12; T's mode is the one it will have once they left):
   * (a) 'lower-priority-in-node': T's own project, strictly lower priority (in-quota victims only
   * when T will be in quota); (b) 'reclaim-borrowed': another tenant's borrowing task, any
   * priority, while T will be in quota (in T's own project priority decides, so a lower-priority T
   * never reclaims from a higher one there, which would let it preempt T back); (c)
   * 'borrowing-lower-priority': a borrowing task of strictly lower priority while T borrows too.
   * In-quota tasks of another project are never candidates. A candidate must be preemptible: its
   * minRuntime elapsed since it started (or was admitted), and not placed by this very transaction
   * (admitted_at = now()). T's class with preemptionPolicy Never yields nothing.
   *
   * <p>Per node, candidates are ordered borrowing first, lower priority first, youngest first; the
   * running sum of the GPUs each frees there stops at the first row that covers the node's deficit;
   * then, from the most valuable back, each victim whose GPUs the others already cover is dropped
   * (recursive reprieve). Nodes are ranked by cost: fewest in-quota victims, lowest top priority,
   * fewest GPUs of work lost, fewest victims, then name. Too few nodes covered: no rows at all.
   *
   * <p>The candidates are not read pool-wide: per node, an index-only walk of the placements in
   * victim order (the copies of V24) reads only the first {@code deficit} placements that match the
   * rules, which hold every row the node's ranking can need.
   */
  private static final String PLAN =
      """
      WITH RECURSIVE preemptor AS (
        SELECT t.id, t.node_id, t.pool, t.priority, t.replicas, t.gpus_per_replica, t.node_names
          FROM queue.tasks t
          JOIN queue.priority_classes pc
            ON pc.name = t.priority_class AND pc.preemption_policy <> 'Never'
         WHERE t.id = ? AND t.state = 'pending'                  -- 1 the pending task T
      ), mode AS (
        SELECT ?::text AS t_mode                                 -- 2 T's mode: in_quota | borrowing
      ), skipped AS (
        SELECT ?::bigint[] AS ids                  -- 3 victims another preemptor locked first
      ), reserved AS (      -- RESERVED_FOR_OTHERS for every node at once, from the open decisions
        SELECT o.node_name,
               sum(greatest(rp.gpus_per_replica - COALESCE(
                     (SELECT sum(pl.gpus)
                        FROM queue.preemptions r2
                        JOIN queue.tasks rv ON rv.id = r2.victim_id
                             AND rv.state = 'preempting' AND rv.attempt = r2.victim_attempt
                        JOIN queue.placements pl
                             ON pl.task_id = rv.id AND pl.node_name = o.node_name
                       WHERE r2.preemptor_id = rp.id AND r2.released_at IS NULL), 0), 0)) AS gpus
          FROM (SELECT DISTINCT r.preemptor_id, rn.node_name   -- every chosen node of a decision
                  FROM queue.preemptions r
                  JOIN queue.preemption_nodes rn ON rn.preemption_id = r.id
                  CROSS JOIN preemptor p
                 WHERE r.released_at IS NULL AND r.preemptor_id <> p.id) o
          JOIN queue.tasks rp ON rp.id = o.preemptor_id AND rp.state = 'pending'
         GROUP BY o.node_name
      ), nodes AS (
        SELECT n.name, p.gpus_per_replica - (n.allocatable_gpus - n.held_gpus - n.foreign_gpus
                                             - COALESCE(r.gpus, 0)) AS deficit
          FROM queue.cluster_nodes n
          JOIN preemptor p ON n.pool = p.pool
          LEFT JOIN reserved r ON r.node_name = n.name
         WHERE n.ready AND NOT n.unschedulable
           AND COALESCE(n.name = ANY (p.node_names), true)
      ), short AS (                                              -- replicas without a free slot
        SELECT p.replicas
                 - COALESCE(sum((p.gpus_per_replica - n.deficit) / p.gpus_per_replica)
                              FILTER (WHERE n.deficit <= 0), 0) AS nodes_needed
          FROM preemptor p LEFT JOIN nodes n ON true
         GROUP BY p.replicas
      ), walk AS (
        -- Per node short of GPUs, its first candidates in victim order, read from the index
        -- placements_victim_order only (V24: each placement carries its task's order keys and what
        -- the filter needs). Every placement frees at least one GPU, so the first `deficit`
        -- placements hold every candidate the node's ranking below can need; WITH TIES adds the
        -- last one's other placements on the node (ties on every key). The rest is never read.
        -- (a) T's own project, strictly lower priority (in-quota ones only when T will be in
        -- quota); (b) another project's borrowing task, any priority, while T will be in quota;
        -- (c) one of strictly lower priority while T borrows too.
        SELECT n.name AS node_name, n.deficit, w.task_id AS id, w.priority, w.in_quota, w.since,
               w.project_id, w.task_gpus, sum(w.gpus)::integer AS freed
          FROM nodes n CROSS JOIN preemptor p CROSS JOIN mode m CROSS JOIN skipped s
          CROSS JOIN LATERAL (
            SELECT pl.task_id, pl.priority, pl.in_quota, pl.since, pl.project_id, pl.task_gpus,
                   pl.gpus
              FROM queue.placements pl
             WHERE pl.node_name = n.name AND pl.task_state IN ('admitted', 'running')
               AND pl.pool = p.pool
               AND pl.admitted_at < now()
               AND pl.protected_until <= now()       -- minRuntime elapsed (or none)
               AND pl.task_id <> ALL (s.ids)
               AND ((pl.project_id = p.node_id AND pl.priority < p.priority
                     AND (m.t_mode = 'in_quota' OR NOT pl.in_quota))
                    OR (NOT pl.in_quota AND pl.project_id <> p.node_id
                        AND (m.t_mode = 'in_quota' OR pl.priority < p.priority)))
             ORDER BY pl.in_quota, pl.priority, pl.since DESC, pl.task_id DESC
             FETCH FIRST n.deficit ROWS WITH TIES) w
         WHERE n.deficit > 0
         GROUP BY n.name, n.deficit, w.task_id, w.priority, w.in_quota, w.since, w.project_id,
                  w.task_gpus
      ), freeing AS (                  -- what each candidate walked frees on its node
        SELECT w.node_name, w.deficit, w.id, w.priority,
               CASE WHEN w.in_quota THEN 'in_quota' ELSE 'borrowing' END AS quota_mode,
               w.task_gpus AS gpus, w.since,
               CASE WHEN w.project_id = p.node_id THEN 'lower-priority-in-node'
                    WHEN m.t_mode = 'in_quota' THEN 'reclaim-borrowed'
                    ELSE 'borrowing-lower-priority' END AS rule,
               w.freed
          FROM walk w CROSS JOIN preemptor p CROSS JOIN mode m
      ), levels AS (  -- per node and priority, what borrowing candidates up to it free there
        SELECT node_name, deficit, priority,
               sum(sum(freed)) OVER (PARTITION BY node_name ORDER BY priority) AS freed_to_level
          FROM freeing WHERE quota_mode = 'borrowing'
         GROUP BY node_name, deficit, priority
      ), covered AS (      -- nodes borrowing victims alone free, at the lowest priority they need
        SELECT node_name, min(priority) AS level
          FROM levels WHERE freed_to_level >= deficit GROUP BY node_name
      ), cut AS (
        -- Borrowing comes first in a node's order, so a node covered by borrowing victims up to
        -- priority L costs (no in-quota victim, top priority L): cheaper than any node that needs
        -- in-quota victims or higher priorities. When enough nodes are covered so, only those at
        -- the cheapest levels can be chosen, and only their borrowing rows up to that level matter:
        -- the rest is never ranked. Otherwise (no level) every row is.
        SELECT (SELECT level FROM covered ORDER BY level
                OFFSET greatest(s.nodes_needed - 1, 0) LIMIT 1) AS level
          FROM short s
      ), ranked AS (
        SELECT f.*, sum(f.freed) OVER w AS freed_so_far, row_number() OVER w AS position
          FROM freeing f
         WHERE (SELECT level FROM cut) IS NULL           -- uncorrelated: computed once, hashed
            OR (f.quota_mode = 'borrowing' AND f.priority <= (SELECT level FROM cut)
                AND f.node_name IN (SELECT node_name FROM covered
                                     WHERE level <= (SELECT level FROM cut)))
        WINDOW w AS (PARTITION BY f.node_name
                     ORDER BY f.quota_mode = 'in_quota', f.priority, f.since DESC, f.id DESC)
      ), needed AS (
        SELECT * FROM ranked WHERE freed_so_far - freed < deficit
      ), reprieve (node_name, position, surplus, kept) AS (
        SELECT node_name, position, freed_so_far - deficit, true
          FROM needed WHERE freed_so_far >= deficit
        UNION ALL
        SELECT r.node_name, x.position,
               CASE WHEN x.freed <= r.surplus THEN r.surplus - x.freed ELSE r.surplus END,
               x.freed > r.surplus
          FROM reprieve r
          JOIN needed x ON x.node_name = r.node_name AND x.position = r.position - 1
      ), victims AS (
        SELECT x.* FROM reprieve r JOIN needed x USING (node_name, position) WHERE r.kept
      ), costs AS (
        SELECT node_name,
               row_number() OVER (ORDER BY count(*) FILTER (WHERE quota_mode = 'in_quota'),
                                           max(priority), sum(gpus), count(*), node_name) AS cost
          FROM victims
         GROUP BY node_name
      ), chosen AS (
        SELECT c.node_name, c.cost
          FROM costs c, short s
         WHERE c.cost <= s.nodes_needed
           AND (SELECT count(*) FROM costs) >= s.nodes_needed
      )
      SELECT node_name, id, rule, quota_mode, priority, since, freed, position,
             (SELECT count(DISTINCT id) FROM walk)::integer, nodes, freed_on_nodes
        FROM (SELECT DISTINCT ON (v.id) v.*, ch.cost,      -- a victim on two chosen nodes: once,
                     array_agg(v.node_name) OVER per_victim AS nodes, -- with all of them
                     array_agg(v.freed) OVER per_victim AS freed_on_nodes
                FROM chosen ch JOIN victims v USING (node_name)
              WINDOW per_victim AS (PARTITION BY v.id ORDER BY ch.cost
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
               ORDER BY v.id, ch.cost) once
       ORDER BY cost, position
      """;

  /**
   * The victims the plan chose, locked for this transaction; a victim another preemptor holds (or
   * that left admitted/running meanwhile) is skipped, and the plan is made again without it.
   */
  private static final String LOCK =
      """
      SELECT id FROM queue.tasks
       WHERE id = ANY (?) AND state IN ('admitted', 'running')   -- 1 the victims planned
         FOR UPDATE SKIP LOCKED
      """;

  /** Plans made again at most, each without the victims another preemptor locked first. */
  private static final int REPLANS = 4;

  /** A new decision of T ends the reservations of its earlier ones. */
  private static final String RELEASE =
      """
      UPDATE queue.preemptions SET released_at = now()
       WHERE preemptor_id = ? AND released_at IS NULL            -- 1 the preemptor
      """;

  private static final String MARK =
      """
      UPDATE queue.tasks SET state = 'preempting'
       WHERE id = ANY (?) AND state IN ('admitted', 'running')   -- 1 the victims
      """;

  /**
   * One victim's decision and every chosen node where it frees GPUs for T, in one statement: the
   * decision's own node must be among its nodes (preemptions_node_listed, checked at the
   * statement's end).
   */
  private static final String RECORD =
      """
      WITH decision AS (
        INSERT INTO queue.preemptions (preemptor_id, preemptor_mode, victim_id, victim_attempt,
                                       rule, node_name, gpus_freed, victim_quota_mode,
                                       victim_priority, victim_since, position, candidates)
        SELECT ?, ?, id, attempt,          -- 1 preemptor, 2 its mode
               ?, ?, ?,                    -- 3 rule, 4 first chosen node, 5 GPUs freed there
               ?, ?, ?, ?,                 -- 6 quota mode, 7 priority, 8 since, 9 rank
               ?                           -- 10 candidates considered
          FROM queue.tasks WHERE id = ?    -- 11 the victim
        RETURNING id)
      INSERT INTO queue.preemption_nodes (preemption_id, node_name, gpus_freed)
      SELECT d.id, f.node_name, f.gpus
        FROM decision d,
             unnest(?::text[], ?::integer[]) AS f (node_name, gpus) -- 12 chosen nodes, 13 freed
      """;

  /** Victims of T whose Pods are not gone yet. */
  private static final String OUTSTANDING =
      """
      SELECT count(*)::integer
        FROM queue.preemptions p JOIN queue.tasks v ON v.id = p.victim_id
       WHERE p.preemptor_id = ? AND p.released_at IS NULL        -- 1 the preemptor
         AND v.state = 'preempting' AND v.attempt = p.victim_attempt
      """;

  private static final String MAY_PREEMPT =
      """
      SELECT 1 FROM queue.priority_classes
       WHERE name = ? AND preemption_policy <> 'Never'           -- 1 the class
      """;

  private static final String REASON = "SELECT set_config('rota.queue.reason', ?, true)"; // 1

  /**
   * One victim with the keys it was chosen by.
   *
   * @param nodeName the cheapest chosen node where it frees GPUs, {@code gpusFreed} of them
   * @param freedOn every chosen node where it frees GPUs for T (a gang victim may free several),
   *     cheapest first; the first is {@code nodeName}
   */
  public record Victim(
      String nodeName,
      long taskId,
      String rule,
      String quotaMode,
      int priority,
      Instant since,
      int gpusFreed,
      int position,
      List<Freed> freedOn) {}

  /** The GPUs a victim frees on one chosen node. */
  public record Freed(String nodeName, int gpus) {}

  /**
   * The victims on the chosen node, in the order they were ranked; empty when nothing frees enough.
   */
  public record Plan(List<Victim> victims, int candidates) {
    public Long[] ids() {
      return victims.stream().map(Victim::taskId).toArray(Long[]::new);
    }
  }

  /**
   * The plan for T if it will be in {@code mode} ("in_quota" or "borrowing") afterwards, its
   * victims locked. The statement itself locks nothing, so it reads the candidates without a lock
   * each; only the victims it chose are locked, SKIP LOCKED. A victim taken by a racing preemptor
   * is left out and the plan made again (at most {@value #REPLANS} times, then nothing), so two
   * preemptors never pick the same victim.
   */
  public Plan plan(Connection c, long taskId, String mode) throws SQLException {
    Set<Long> skipped = new HashSet<>();
    for (int round = 0; round <= REPLANS; round++) {
      Plan plan = select(c, taskId, mode, skipped);
      if (plan.victims().isEmpty()) {
        return plan;
      }
      Set<Long> missing = new HashSet<>(List.of(plan.ids()));
      try (PreparedStatement lock = c.prepareStatement(LOCK)) {
        lock.setArray(1, c.createArrayOf("bigint", plan.ids()));
        try (ResultSet row = lock.executeQuery()) {
          while (row.next()) {
            missing.remove(row.getLong(1));
          }
        }
      }
      if (missing.isEmpty()) {
        return plan;
      }
      skipped.addAll(missing);
    }
    return new Plan(List.of(), 0);
  }

  private Plan select(Connection c, long taskId, String mode, Set<Long> skipped)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(PLAN)) {
      select.setLong(1, taskId);
      select.setString(2, mode);
      select.setArray(3, c.createArrayOf("bigint", skipped.toArray()));
      List<Victim> victims = new ArrayList<>();
      int candidates = 0;
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          victims.add(
              new Victim(
                  row.getString(1),
                  row.getLong(2),
                  row.getString(3),
                  row.getString(4),
                  row.getInt(5),
                  row.getTimestamp(6).toInstant(),
                  row.getInt(7),
                  row.getInt(8),
                  freedOn(row.getArray(10), row.getArray(11))));
          candidates = row.getInt(9);
        }
      }
      return new Plan(List.copyOf(victims), candidates);
    }
  }

  private static List<Freed> freedOn(java.sql.Array nodes, java.sql.Array gpus)
      throws SQLException {
    String[] names = (String[]) nodes.getArray();
    Integer[] freed = (Integer[]) gpus.getArray();
    List<Freed> on = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      on.add(new Freed(names[i], freed[i]));
    }
    return List.copyOf(on);
  }

  /**
   * The planning statement's EXPLAIN (ANALYZE, BUFFERS) lines for T in {@code mode}, for the
   * benchmark and the docs; it runs the statement, so call it in a transaction that is rolled back.
   */
  public List<String> explain(Connection c, long taskId, String mode) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + PLAN)) {
      select.setLong(1, taskId);
      select.setString(2, mode);
      select.setArray(3, c.createArrayOf("bigint", new Long[0]));
      List<String> lines = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          lines.add(row.getString(1));
        }
      }
      return lines;
    }
  }

  /**
   * Marks the victims preempting (a task_events row each, reason {@code preempted}; the trigger
   * enqueues their Pods' deletion) and records the decision. Their placements stay: their GPUs are
   * held until their Pods are gone.
   */
  public void apply(Connection c, long preemptor, String mode, Plan plan) throws SQLException {
    try (PreparedStatement release = c.prepareStatement(RELEASE)) {
      release.setLong(1, preemptor);
      release.executeUpdate();
    }
    try (PreparedStatement set = c.prepareStatement(REASON)) {
      set.setString(1, "preempted");
      set.execute();
    }
    try (PreparedStatement mark = c.prepareStatement(MARK)) {
      mark.setArray(1, c.createArrayOf("bigint", plan.ids()));
      int marked = mark.executeUpdate();
      if (marked != plan.victims().size()) {
        // plan() locked the victims for this transaction: anything else is a bug, not a race
        throw new SQLException("preempted " + marked + " of " + plan.victims().size() + " victims");
      }
    }
    try (PreparedStatement record = c.prepareStatement(RECORD)) {
      for (Victim victim : plan.victims()) {
        record.setLong(1, preemptor);
        record.setString(2, mode);
        record.setString(3, victim.rule());
        record.setString(4, victim.nodeName());
        record.setInt(5, victim.gpusFreed());
        record.setString(6, victim.quotaMode());
        record.setInt(7, victim.priority());
        record.setTimestamp(8, java.sql.Timestamp.from(victim.since()));
        record.setInt(9, victim.position());
        record.setInt(10, plan.candidates());
        record.setLong(11, victim.taskId());
        record.setArray(
            12, c.createArrayOf("text", victim.freedOn().stream().map(Freed::nodeName).toArray()));
        record.setArray(
            13, c.createArrayOf("integer", victim.freedOn().stream().map(Freed::gpus).toArray()));
        record.addBatch();
      }
      record.executeBatch();
    }
  }

  /** Whether tasks of the class may preempt (its preemptionPolicy is not Never). */
  public boolean mayPreempt(Connection c, String priorityClass) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(MAY_PREEMPT)) {
      select.setString(1, priorityClass);
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    }
  }

  /** How many of T's victims still hold their GPUs (their Pods not gone yet). */
  public int outstanding(Connection c, long preemptor) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(OUTSTANDING)) {
      select.setLong(1, preemptor);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
