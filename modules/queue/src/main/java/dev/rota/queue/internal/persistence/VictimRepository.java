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
               0)::integer                            -- a sum of bigint is numeric: GPUs are whole
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
   * <p>Two ways to the same rows, so that the common case reads little. First, lowest priority
   * first, whether borrowing candidates alone cover enough nodes (one range of the index
   * placements_borrowing_order, V27, per distinct priority, stopping at the first that does). A
   * node covered so is cheaper than any node that needs an in-quota victim or a higher priority, so
   * then only those nodes' borrowing candidates up to that priority are ranked. Otherwise every
   * node short of GPUs is walked: an index-only walk of its placements in victim order (the copies
   * of V24) reads only the first {@code deficit} placements that match the rules, which hold every
   * row the node's ranking can need.
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
        -- integer: the reservations' sum is numeric, and `short` divides whole replicas
        SELECT n.name, (p.gpus_per_replica - (n.allocatable_gpus - n.held_gpus - n.foreign_gpus
                                              - COALESCE(r.gpus, 0)))::integer AS deficit
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
      ), borrowing AS NOT MATERIALIZED (
        -- The pool's borrowing candidates in priority order, read from placements_borrowing_order
        -- alone (T's keys are constants here, so the index order is the priority order). Inlined
        -- where used: each use reads only the priorities it bounds. (a) T's own project, strictly
        -- lower priority; (b) another project's, any priority, while T will be in quota; (c)
        -- another project's, strictly lower priority, while T borrows too.
        SELECT pl.node_name, pl.task_id, pl.priority, pl.since, pl.project_id, pl.task_gpus,
               pl.gpus
          FROM queue.placements pl
         WHERE pl.pool = (SELECT pool FROM preemptor)
           AND NOT pl.in_quota AND pl.task_state IN ('admitted', 'running')
           AND pl.admitted_at < now()
           AND pl.protected_until <= now()
           AND pl.task_id <> ALL ((SELECT ids FROM skipped)::bigint[])
           AND (pl.priority < (SELECT priority FROM preemptor)
                OR (pl.project_id <> (SELECT node_id FROM preemptor)
                    AND (SELECT t_mode FROM mode) = 'in_quota'))
      ), levels (priority, covered, enough) AS (
        -- The distinct priorities among them, lowest first, one index probe each; at each, the
        -- nodes that the borrowing candidates up to it cover, and whether they are enough. It
        -- stops at the first level that is.
        SELECT l.priority, c.covered, c.enough
          FROM (SELECT b.priority FROM borrowing b ORDER BY b.priority LIMIT 1) l,
               LATERAL (SELECT array_agg(covered.name) AS covered,
                               count(*) >= (SELECT nodes_needed FROM short) AS enough
                          FROM (SELECT n.name
                                  FROM borrowing b JOIN nodes n ON n.name = b.node_name
                                 WHERE b.priority <= l.priority AND n.deficit > 0
                                 GROUP BY n.name, n.deficit
                                HAVING sum(b.gpus) >= n.deficit) covered) c
        UNION ALL
        SELECT nx.priority, c.covered, c.enough
          FROM levels l,
               LATERAL (SELECT b.priority FROM borrowing b WHERE b.priority > l.priority
                         ORDER BY b.priority LIMIT 1) nx,
               LATERAL (SELECT array_agg(covered.name) AS covered,
                               count(*) >= (SELECT nodes_needed FROM short) AS enough
                          FROM (SELECT n.name
                                  FROM borrowing b JOIN nodes n ON n.name = b.node_name
                                 WHERE b.priority <= nx.priority AND n.deficit > 0
                                 GROUP BY n.name, n.deficit
                                HAVING sum(b.gpus) >= n.deficit) covered) c
         WHERE NOT l.enough
      ), cut AS (
        SELECT priority AS level, covered FROM levels WHERE enough
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
      ), candidates AS (
        -- With a cut, the borrowing candidates up to it on the nodes they cover; else the walk.
        SELECT b.node_name, min(n.deficit) AS deficit, b.task_id AS id, min(b.priority) AS priority,
               false AS in_quota, min(b.since) AS since, min(b.project_id) AS project_id,
               min(b.task_gpus) AS task_gpus, sum(b.gpus)::integer AS freed
          FROM (SELECT unnest(covered) AS name FROM cut) covered
          JOIN nodes n USING (name)
          JOIN borrowing b ON b.node_name = n.name
         WHERE b.priority <= (SELECT level FROM cut)
         GROUP BY b.node_name, b.task_id
        UNION ALL
        SELECT * FROM walk WHERE NOT EXISTS (SELECT FROM cut)
      ), ranked AS (
        SELECT c.node_name, c.deficit, c.id, c.priority,
               CASE WHEN c.in_quota THEN 'in_quota' ELSE 'borrowing' END AS quota_mode,
               c.task_gpus AS gpus, c.since,
               CASE WHEN c.project_id = (SELECT node_id FROM preemptor) THEN 'lower-priority-in-node'
                    WHEN (SELECT t_mode FROM mode) = 'in_quota' THEN 'reclaim-borrowed'
                    ELSE 'borrowing-lower-priority' END AS rule,
               c.freed, sum(c.freed) OVER w AS freed_so_far, row_number() OVER w AS position,
               sum(c.freed) OVER (PARTITION BY c.node_name) AS node_freed
          FROM candidates c
        WINDOW w AS (PARTITION BY c.node_name
                     ORDER BY c.in_quota, c.priority, c.since DESC, c.id DESC)
      ), needed AS (            -- on the nodes they cover, the rows up to the one that covers it
        SELECT * FROM ranked WHERE node_freed >= deficit AND freed_so_far - freed < deficit
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
             (SELECT count(DISTINCT id) FROM candidates)::integer, nodes, freed_on_nodes
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

  /**
   * The victims of a plan that must stay: a borrowing victim that would come back in quota once the
   * plan's victims left (and T holds its GPUs) was not borrowing beyond its tenant's guarantee
   * after all, and requeued it could reclaim from T or T's chain, a ping-pong (QueueSettlesIT found
   * it: two borrowing tasks of one project taken together, the tenant over its guarantee by less
   * than both). Asked of the plan's borrowing victims and of the pool's other borrowing victims
   * under the same top-level group that have not run again yet (preempting, or requeued and
   * waiting, whether or not their preemptor was admitted since): a second decision can bring the
   * first one's victim back in quota through a level they share (QueueSettlesIT found that too);
   * for such an earlier victim, the plan's victims under its group stay. What a level uses is what
   * it will hold (queue.quota_used without the leaving ones): with T's GPUs when T will be in
   * quota; without any borrowing task when T will borrow, as the victim could come back and reclaim
   * borrowers, T first among them, until it fits its guarantee beside the in-quota work
   * (QueueSettlesIT found that: a borrowing gang took a sibling project's task that its own group's
   * guarantee had room for), and without the in-quota work of the victim's own project below its
   * priority (it could take that back by rule (a); found too). Each victim's own level is asked
   * first, and the levels above only for those within it there; each level once.
   */
  private static final String COME_BACK_IN_QUOTA =
      """
      WITH preemptor AS (
        SELECT t.id, t.pool, t.replicas * t.gpus_per_replica AS gpus, n.path,
               ?::text AS t_mode                                  -- 1 T's mode
          FROM queue.tasks t JOIN tenancy.nodes n ON n.id = t.node_id
         WHERE t.id = ?                                           -- 2 T
      ), planned AS MATERIALIZED (
        SELECT t.id, t.node_id, t.quota_mode, t.replicas * t.gpus_per_replica AS gpus,
               t.priority, subpath(n.path, 0, 1) AS grp
          FROM queue.tasks t JOIN tenancy.nodes n ON n.id = t.node_id
         WHERE t.id = ANY (?::bigint[])                           -- 3 the plan's victims
      ), gone AS (
        SELECT array_agg(id) || (SELECT id FROM preemptor) AS ids FROM planned
      ), leaving AS MATERIALIZED (
        SELECT id, node_id, gpus, priority, grp FROM planned WHERE quota_mode = 'borrowing'
        UNION
        SELECT t.id, t.node_id, t.replicas * t.gpus_per_replica, t.priority, subpath(n.path, 0, 1)
          FROM queue.tasks t                             -- tasks_preempted_by_pool (V28)
          JOIN tenancy.nodes n ON n.id = t.node_id
         WHERE t.pool = (SELECT pool FROM preemptor) AND t.id <> (SELECT id FROM preemptor)
           AND (t.state = 'preempting' OR (t.state = 'pending' AND t.attempt > 1))
           AND subpath(n.path, 0, 1) IN (SELECT grp FROM planned)
           AND EXISTS (SELECT FROM queue.preemptions d    -- preempted as a borrower, last time
                        WHERE d.victim_id = t.id AND d.victim_quota_mode = 'borrowing'
                          AND d.victim_attempt = t.attempt
                                                 - CASE WHEN t.state = 'pending' THEN 1 ELSE 0 END)
      ), yields AS MATERIALIZED (
        -- For a borrowing T, the in-quota work of the victim's own project below its priority: it
        -- could take that back by rule (a) to fit its guarantee, so it counts as room.
        SELECT l.id, COALESCE(sum(o.replicas * o.gpus_per_replica), 0) AS gpus
          FROM leaving l CROSS JOIN preemptor p CROSS JOIN gone g
          LEFT JOIN queue.tasks o
                 ON p.t_mode = 'borrowing' AND o.node_id = l.node_id AND o.pool = p.pool
                AND o.state IN ('admitted', 'running') AND o.quota_mode = 'in_quota'
                AND o.priority < l.priority AND o.id <> ALL (g.ids)
         GROUP BY l.id
      ), chains AS MATERIALIZED (
        SELECT l.id, c.node_id AS level, c.depth,
               COALESCE(c.pool_guaranteed_gpus, c.total_guaranteed_gpus) - l.gpus + y.gpus
                 AS room_in_pool,
               c.total_guaranteed_gpus - l.gpus + y.gpus AS room
          FROM leaving l JOIN yields y USING (id) CROSS JOIN preemptor p
         CROSS JOIN LATERAL tenancy.pool_quota_chain(l.node_id, p.pool) c
      ), used AS MATERIALIZED (  -- what a level will hold: its tasks but the leaving, and T
        SELECT lv.level, u.in_pool + plus.gpus AS in_pool, u.overall + plus.gpus AS overall
          FROM (SELECT DISTINCT level FROM chains WHERE depth = 0) lv
          JOIN tenancy.nodes n ON n.id = lv.level
         CROSS JOIN preemptor p CROSS JOIN gone g
         CROSS JOIN LATERAL queue.quota_used(lv.level, p.pool, g.ids, false, p.t_mode = 'in_quota') u
         CROSS JOIN LATERAL (SELECT CASE WHEN p.t_mode = 'in_quota' AND p.path <@ n.path
                                         THEN p.gpus ELSE 0 END AS gpus) plus
      ), own AS MATERIALIZED (   -- the leaving that fit their own level's guarantee again
        SELECT c.id
          FROM chains c JOIN used u USING (level)
         WHERE c.depth = 0 AND u.in_pool <= c.room_in_pool AND u.overall <= c.room
      ), used_above AS MATERIALIZED (
        SELECT lv.level, u.in_pool + plus.gpus AS in_pool, u.overall + plus.gpus AS overall
          FROM (SELECT DISTINCT level FROM chains
                 WHERE depth > 0 AND id IN (SELECT id FROM own)) lv
          JOIN tenancy.nodes n ON n.id = lv.level
         CROSS JOIN preemptor p CROSS JOIN gone g
         CROSS JOIN LATERAL queue.quota_used(lv.level, p.pool, g.ids, false, p.t_mode = 'in_quota') u
         CROSS JOIN LATERAL (SELECT CASE WHEN p.t_mode = 'in_quota' AND p.path <@ n.path
                                         THEN p.gpus ELSE 0 END AS gpus) plus
      ), back_in_quota AS (     -- ... and every level above
        SELECT l.id, l.grp
          FROM leaving l
         WHERE l.id IN (SELECT id FROM own)
           AND NOT EXISTS (SELECT FROM chains c JOIN used_above u USING (level)
                            WHERE c.id = l.id AND c.depth > 0
                              AND (u.in_pool > c.room_in_pool OR u.overall > c.room))
      )
      SELECT v.id FROM planned v
       WHERE v.id IN (SELECT id FROM back_in_quota)
          OR v.grp IN (SELECT grp FROM back_in_quota WHERE id NOT IN (SELECT id FROM planned))
      """;

  /**
   * Plans made again at most, each without the victims another preemptor locked first or that would
   * come back in quota.
   */
  private static final int REPLANS = 8;

  /**
   * A new decision of T ends the reservations of its earlier ones on the nodes it decides for now;
   * those on its other nodes stay. A gang that preempts on node B and, next round, on node A (whose
   * free slot it counted on was taken meanwhile) keeps B: releasing B too let B's requeued victims
   * take it back, and the gang preempted them again, round after round (QueueSettlesIT found it).
   * All of T's reservations end when it is admitted or stops waiting.
   */
  private static final String RELEASE =
      """
      UPDATE queue.preemptions p SET released_at = now()
       WHERE p.preemptor_id = ? AND p.released_at IS NULL        -- 1 the preemptor
         AND EXISTS (SELECT FROM queue.preemption_nodes n
                      WHERE n.preemption_id = p.id
                        AND n.node_name = ANY (?))               -- 2 the nodes decided for now
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
      Set<Long> stay = comeBackInQuota(c, taskId, mode, plan);
      if (!stay.isEmpty()) {
        skipped.addAll(stay);
        continue;
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

  private Set<Long> comeBackInQuota(Connection c, long taskId, String mode, Plan plan)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(COME_BACK_IN_QUOTA)) {
      select.setString(1, mode);
      select.setLong(2, taskId);
      select.setArray(3, c.createArrayOf("bigint", plan.ids()));
      Set<Long> stay = new HashSet<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          stay.add(row.getLong(1));
        }
      }
      return stay;
    }
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
      release.setArray(
          2,
          c.createArrayOf(
              "text",
              plan.victims().stream()
                  .flatMap(victim -> victim.freedOn().stream())
                  .map(Freed::nodeName)
                  .distinct()
                  .toArray()));
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
