package dev.rota.queue.internal.persistence;

import dev.rota.platform.NullableParameters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Preemption by the calendar: the tasks still admitted or running on a pool that a window holds
 * now, found and preempted by one statement in the caller's transaction. A maintenance window takes
 * every task of the pool; a reservation takes the tasks of every node that is neither its holder
 * nor below it (the tasks admission refuses while it holds, as scheduling's PoolAvailability
 * answers), lowest priority first. A pool calendar's reservation holds the whole pool, so all of
 * those go. minRuntime does not protect against a window: the calendar was booked ahead, and
 * admission already keeps tasks with a maxRuntime from running into one.
 */
public class WindowPreemptionRepository {

  /**
   * Finds the windows of pool calendars that hold their pool at the instant (the rule of
   * scheduling's OccupancyRepository.POOL: the calendar's wall clock shows a second the window
   * covers, wrapping weekly windows included, and the instant lies in its held range) and preempts
   * the tasks they keep out, in one statement: each victim gets a queue.preemptions row (rule
   * maintenance or reservation, the window, its rank among the window's victims: lowest priority,
   * then youngest, first) and moves to preempting, which enqueues its Pods' deletion (V20's
   * trigger). Victims are locked FOR UPDATE SKIP LOCKED, so a victim an admission round is
   * preempting at the same moment is left to it; the unique (victim, attempt) makes a second
   * decision impossible. Run again while the window holds, it takes only tasks that slipped in
   * since (a task already preempting is no candidate).
   */
  private static final String PREEMPT =
      """
      WITH asked AS (SELECT ?::timestamptz AS at                          -- 1 the instant
      ), holding AS MATERIALIZED (
        SELECT w.id AS window_id, w.kind::text AS rule, c.name AS pool, owner.path AS owner_path
          FROM asked
          CROSS JOIN scheduling.calendars c
          JOIN scheduling.windows w
            ON w.calendar_id = c.id
           AND scheduling.window_cover(w.start_second, w.end_second, w.once_cover)
               @> scheduling.week_second(asked.at, c.time_zone)
           AND w.held @> asked.at
          LEFT JOIN tenancy.nodes owner ON owner.id = w.owner_node_id
         WHERE c.kind = 'pool'
      ), victims AS (
        SELECT v.id, v.attempt, v.quota_mode, v.priority,
               COALESCE(v.started_at, v.admitted_at) AS since,
               v.replicas * v.gpus_per_replica AS gpus, h.window_id, h.rule
          FROM holding h
          JOIN queue.tasks v ON v.pool = h.pool AND v.state IN ('admitted', 'running')
          JOIN tenancy.nodes n ON n.id = v.node_id
         WHERE h.rule = 'maintenance' OR NOT COALESCE(h.owner_path @> n.path, false)
           FOR UPDATE OF v SKIP LOCKED
      ), ranked AS (
        SELECT v.*, row_number() OVER w AS position,
               count(*) OVER (PARTITION BY v.window_id) AS candidates
          FROM victims v
        WINDOW w AS (PARTITION BY v.window_id ORDER BY v.priority, v.since DESC, v.id DESC)
      ), recorded AS (
        INSERT INTO queue.preemptions (victim_id, victim_attempt, rule, window_id, gpus_freed,
                                       victim_quota_mode, victim_priority, victim_since,
                                       position, candidates, released_at)
        SELECT id, attempt, rule, window_id, gpus, quota_mode, priority, since,
               position, candidates, now()
          FROM ranked
        ON CONFLICT ON CONSTRAINT preemptions_victim_once DO NOTHING
        RETURNING victim_id, window_id, rule, position
      ), marked AS (
        UPDATE queue.tasks t SET state = 'preempting'
          FROM recorded r
         WHERE t.id = r.victim_id AND t.state IN ('admitted', 'running')
        RETURNING t.id, t.pool
      )
      SELECT m.id, m.pool, r.window_id, r.rule
        FROM marked m JOIN recorded r ON r.victim_id = m.id
       ORDER BY r.window_id, r.position
      """;

  private static final String REASON = "SELECT set_config('rota.queue.reason', ?, true)"; // 1

  /** One task a window preempted. */
  public record WindowVictim(long taskId, String pool, long windowId, String rule) {}

  /** Preempts what the windows holding pools at {@code at} keep out; returns the victims. */
  public List<WindowVictim> preempt(Connection c, Instant at) throws SQLException {
    try (PreparedStatement set = c.prepareStatement(REASON)) {
      set.setString(1, "preempted");
      set.execute();
    }
    try (PreparedStatement preempt = c.prepareStatement(PREEMPT)) {
      NullableParameters.setInstant(preempt, 1, at);
      List<WindowVictim> victims = new ArrayList<>();
      try (ResultSet row = preempt.executeQuery()) {
        while (row.next()) {
          victims.add(
              new WindowVictim(row.getLong(1), row.getString(2), row.getLong(3), row.getString(4)));
        }
      }
      return victims;
    }
  }
}
