package dev.rota.platform.internal.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The workers' side of the outbox: claiming due rows, and settling them after an attempt. Every
 * time that several instances compare is the database's {@code now()}.
 */
public class OutboxRepository {

  /** A claimed row: the object to reconcile and the generation the claim saw. */
  public record Claim(String kind, String key, long generation, int attempts) {}

  /**
   * Claims up to a batch of due rows of the given kinds that nobody holds (or whose holder's claim
   * expired, e.g. an instance that died). SKIP LOCKED lets concurrent workers pass over each
   * other's rows instead of waiting; the claim is committed at once and lasts until claimed_until,
   * so no row is reconciled by two workers at the same time while its claim lives.
   */
  private static final String CLAIM =
      """
      WITH due AS (
        SELECT kind, object_key FROM platform.reconcile_outbox
         WHERE kind = ANY (?::text[])
           AND next_attempt_at <= now()
           AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY next_attempt_at
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      UPDATE platform.reconcile_outbox o
         SET claimed_by = ?, claimed_until = now() + ?::interval
        FROM due
       WHERE o.kind = due.kind AND o.object_key = due.object_key
      RETURNING o.kind, o.object_key, o.generation, o.attempts
      """;

  /** Done: the row goes, unless it was enqueued again since the claim (a newer generation). */
  private static final String DONE =
      """
      DELETE FROM platform.reconcile_outbox
       WHERE kind = ? AND object_key = ? AND generation = ? AND claimed_by = ?
      """;

  /** Done with an older generation: the row stays due, as a fresh one. */
  private static final String RELEASE =
      """
      UPDATE platform.reconcile_outbox
         SET claimed_by = NULL, claimed_until = NULL, attempts = 0, last_error = NULL
       WHERE kind = ? AND object_key = ? AND claimed_by = ?
      """;

  /**
   * Failed: exponential backoff for this row only, base * 2^attempts capped at max, with up to 20%
   * jitter so objects that failed together do not all retry together.
   */
  private static final String FAILED =
      """
      UPDATE platform.reconcile_outbox
         SET claimed_by = NULL, claimed_until = NULL,
             attempts = attempts + 1,
             last_error = left(?, 2000),
             next_attempt_at = now() + least(?::interval * power(2, least(attempts, 30)),
                                             ?::interval) * (1 + random() * 0.2)
       WHERE kind = ? AND object_key = ? AND claimed_by = ?
      """;

  private static final String STATS =
      """
      SELECT count(*), coalesce(extract(epoch FROM now() - min(enqueued_at)), 0),
             count(*) FILTER (WHERE last_error IS NOT NULL)
        FROM platform.reconcile_outbox
      """;

  public List<Claim> claim(
      Connection c, Collection<String> kinds, int limit, String worker, Duration lease)
      throws SQLException {
    try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
      claim.setArray(1, c.createArrayOf("text", kinds.toArray())); // ?1: kinds this worker serves
      claim.setInt(2, limit); // ?2: batch size
      claim.setString(3, worker); // ?3: who claims
      claim.setString(4, interval(lease)); // ?4: how long the claim lasts
      List<Claim> claimed = new ArrayList<>();
      try (ResultSet rows = claim.executeQuery()) {
        while (rows.next()) {
          claimed.add(
              new Claim(rows.getString(1), rows.getString(2), rows.getLong(3), rows.getInt(4)));
        }
      }
      return claimed;
    }
  }

  public void done(Connection c, Claim claim, String worker) throws SQLException {
    try (PreparedStatement done = c.prepareStatement(DONE)) {
      done.setString(1, claim.kind()); // ?1: kind
      done.setString(2, claim.key()); // ?2: key
      done.setLong(3, claim.generation()); // ?3: the generation this attempt reconciled
      done.setString(4, worker); // ?4: only while we still hold the claim
      if (done.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement release = c.prepareStatement(RELEASE)) {
      release.setString(1, claim.kind()); // ?1: kind
      release.setString(2, claim.key()); // ?2: key
      release.setString(3, worker); // ?3: only while we still hold the claim
      release.executeUpdate();
    }
  }

  public void failed(
      Connection c, Claim claim, String worker, String error, Duration base, Duration max)
      throws SQLException {
    try (PreparedStatement failed = c.prepareStatement(FAILED)) {
      failed.setString(1, error); // ?1: what went wrong, shown on the object's sync state
      failed.setString(2, interval(base)); // ?2: the first retry's delay
      failed.setString(3, interval(max)); // ?3: the longest delay
      failed.setString(4, claim.kind()); // ?4: kind
      failed.setString(5, claim.key()); // ?5: key
      failed.setString(6, worker); // ?6: only while we still hold the claim
      failed.executeUpdate();
    }
  }

  /** Depth, the oldest waiting row's age in seconds, and how many rows failed last time. */
  public double[] stats(Connection c) throws SQLException {
    try (PreparedStatement stats = c.prepareStatement(STATS);
        ResultSet row = stats.executeQuery()) {
      row.next();
      return new double[] {row.getLong(1), row.getDouble(2), row.getLong(3)};
    }
  }

  static String interval(Duration duration) {
    return duration.toMillis() + " milliseconds";
  }
}
