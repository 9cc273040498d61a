package dev.rota.platform.internal.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Leadership as a lease row with an expiry, judged by the database's clock: the holder renews it,
 * anyone takes it once it expired. Unlike a session advisory lock it survives transaction pooling
 * and cannot silently vanish with a connection; after a failover it is simply still in the table.
 */
public class Leases {

  /**
   * Takes or renews the lease in one statement: the row is written only when it is free, ours, or
   * expired; RETURNING says whether it was. Concurrent callers serialize on the row.
   */
  private static final String ACQUIRE =
      """
      INSERT INTO platform.leases AS l (name, holder, expires_at)
      VALUES (?, ?, now() + ?::interval)
      ON CONFLICT (name) DO UPDATE
         SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at < now()
      RETURNING holder
      """;

  /** Whether {@code holder} holds the lease {@code name} for {@code duration} from now. */
  public boolean acquire(Connection c, String name, String holder, Duration duration)
      throws SQLException {
    try (PreparedStatement acquire = c.prepareStatement(ACQUIRE)) {
      acquire.setString(1, name); // ?1: which lease
      acquire.setString(2, holder); // ?2: who wants it
      acquire.setString(3, OutboxRepository.interval(duration)); // ?3: how long it lasts
      try (ResultSet row = acquire.executeQuery()) {
        return row.next();
      }
    }
  }
}
