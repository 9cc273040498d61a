package dev.rota.queue.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The dispatch claim: workers take admitted tasks with {@code FOR UPDATE SKIP LOCKED} and hold each
 * under a lease until its Pods exist. Claims commit at once, so no transaction stays open across
 * the Kubernetes calls; the lease, renewed by the instance's heartbeat, is what keeps others away.
 */
public class DispatchRepository {

  /**
   * A batch of admitted, undispatched, unclaimed tasks, oldest admission first; rows another worker
   * is claiming right now are skipped, not waited for. Served by the partial index
   * tasks_to_dispatch, which holds only tasks waiting for dispatch.
   */
  private static final String CLAIM =
      """
      WITH due AS (
        SELECT id FROM queue.tasks
         WHERE state = 'admitted' AND dispatched_at IS NULL AND claimed_by IS NULL
           AND (dispatch_after IS NULL OR dispatch_after <= now())
           %s
         ORDER BY admitted_at, id
         LIMIT ?                                              -- n batch size
           FOR UPDATE SKIP LOCKED)
      UPDATE queue.tasks t
         SET claimed_by = ?,                                  -- n+1 the worker
             claim_expires_at = now() + make_interval(secs => ?) -- n+2 lease (s)
        FROM due
       WHERE t.id = due.id
      RETURNING t.id, t.attempt, t.admitted_at
      """;

  /**
   * Where the worker's previous claim ended. Each claim leaves a dead entry at the front of
   * tasks_to_dispatch that PostgreSQL cannot clean while any older snapshot is open; starting after
   * the last claimed task keeps the scan from walking them all (QueueBenchmark, "held snapshot").
   */
  private static final String AFTER =
      "AND (admitted_at, id) > (?, ?)                       -- 1 last admitted_at, 2 its id";

  /**
   * Renews the live claims of the worker that it is still working on; a claim already reaped stays
   * lost, and one it left behind runs out.
   */
  private static final String HEARTBEAT =
      """
      UPDATE queue.tasks SET claim_expires_at = now() + make_interval(secs => ?) -- 1 lease (s)
       WHERE claimed_by = ? AND claim_expires_at > now()                       -- 2 the worker
         AND id = ANY(?)                                                       -- 3 its tasks
      """;

  /** Returns the work of claims whose lease ran out: their worker is gone or stuck. */
  private static final String REAP =
      """
      UPDATE queue.tasks SET claimed_by = NULL, claim_expires_at = NULL
       WHERE claimed_by IS NOT NULL AND claim_expires_at < now()
      RETURNING id
      """;

  /**
   * Records the dispatch of each claimed attempt and ends its claim, only while the worker still
   * holds it: a claim that was reaped, or a task cancelled meanwhile, records nothing. The primary
   * key of queue.dispatches refuses a second dispatch of one attempt, whoever tries.
   */
  private static final String COMPLETE =
      """
      WITH claimed AS (
        SELECT * FROM unnest(?::bigint[], ?::integer[]) AS c (id, attempt)) -- 1 tasks, 2 attempts
      , done AS (
        UPDATE queue.tasks t
           SET dispatched_at = now(), claimed_by = NULL, claim_expires_at = NULL,
               dispatch_after = NULL, dispatch_error = NULL
          FROM claimed
         WHERE t.id = claimed.id AND t.attempt = claimed.attempt
           AND t.claimed_by = ?                               -- 3 the worker
        RETURNING t.id, t.attempt)
      INSERT INTO queue.dispatches (task_id, attempt, dispatched_by)
      SELECT id, attempt, ? FROM done                         -- 4 the worker
      RETURNING task_id
      """;

  /** Gives a claim back after a failed dispatch, to be tried again after the backoff. */
  private static final String RELEASE =
      """
      UPDATE queue.tasks
         SET claimed_by = NULL, claim_expires_at = NULL, dispatch_error = ?, -- 1 the failure
             dispatch_after = now() + make_interval(secs => ?)             -- 2 backoff (s)
       WHERE id = ? AND claimed_by = ?                                      -- 3 task, 4 worker
      """;

  /** One claimed task: its id, the attempt to dispatch and when it was admitted. */
  public record Claim(long taskId, int attempt, Instant admittedAt) {}

  /** Claims a batch, after {@code after} when given (else from the oldest admission). */
  public List<Claim> claim(Connection c, String worker, int batch, Duration lease, Claim after)
      throws SQLException {
    try (PreparedStatement claim =
        c.prepareStatement(CLAIM.formatted(after == null ? "" : AFTER))) {
      int n = 1; // without the keyset, the batch size is the first parameter
      if (after != null) {
        claim.setTimestamp(1, Timestamp.from(after.admittedAt()));
        claim.setLong(2, after.taskId());
        n = 3;
      }
      claim.setInt(n, batch);
      claim.setString(n + 1, worker);
      claim.setDouble(n + 2, lease.toMillis() / 1000.0);
      List<Claim> claims = new ArrayList<>();
      try (ResultSet row = claim.executeQuery()) {
        while (row.next()) {
          claims.add(new Claim(row.getLong(1), row.getInt(2), row.getTimestamp(3).toInstant()));
        }
      }
      return claims;
    }
  }

  /** Returns how many claims the heartbeat renewed. */
  public int heartbeat(Connection c, String worker, Long[] tasks, Duration lease)
      throws SQLException {
    try (PreparedStatement renew = c.prepareStatement(HEARTBEAT)) {
      renew.setDouble(1, lease.toMillis() / 1000.0);
      renew.setString(2, worker);
      renew.setArray(3, c.createArrayOf("bigint", tasks));
      return renew.executeUpdate();
    }
  }

  /** Returns the ids of the tasks whose expired claims were returned. */
  public List<Long> reap(Connection c) throws SQLException {
    try (PreparedStatement reap = c.prepareStatement(REAP);
        ResultSet row = reap.executeQuery()) {
      List<Long> ids = new ArrayList<>();
      while (row.next()) {
        ids.add(row.getLong(1));
      }
      return ids;
    }
  }

  /** The tasks whose dispatch was recorded (the others' claims were lost or they moved on). */
  public Set<Long> complete(Connection c, List<Claim> claims, String worker) throws SQLException {
    try (PreparedStatement complete = c.prepareStatement(COMPLETE)) {
      complete.setArray(1, c.createArrayOf("bigint", claims.stream().map(Claim::taskId).toArray()));
      complete.setArray(
          2, c.createArrayOf("integer", claims.stream().map(Claim::attempt).toArray()));
      complete.setString(3, worker);
      complete.setString(4, worker);
      Set<Long> recorded = new HashSet<>();
      try (ResultSet row = complete.executeQuery()) {
        while (row.next()) {
          recorded.add(row.getLong(1));
        }
      }
      return recorded;
    }
  }

  public void release(Connection c, Claim claim, String worker, String error, Duration backoff)
      throws SQLException {
    try (PreparedStatement release = c.prepareStatement(RELEASE)) {
      release.setString(1, error);
      release.setDouble(2, backoff.toMillis() / 1000.0);
      release.setLong(3, claim.taskId());
      release.setString(4, worker);
      release.executeUpdate();
    }
  }
}
