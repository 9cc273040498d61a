package dev.rota.platform;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The transactional outbox: a module records "object {@code key} of {@code kind} needs reconciling"
 * on the connection of the transaction that makes the change, so the record commits or rolls back
 * with it. One row per object: enqueuing a waiting object again coalesces into its row and makes it
 * due now. A notification on {@link #CHANNEL}, delivered at commit, wakes the workers.
 */
@ApplicationScoped
public class Outbox {

  /** The LISTEN/NOTIFY channel; the payload is the kind. */
  public static final String CHANNEL = "rota_reconcile";

  /**
   * Inserts one row per key, or bumps the waiting row's generation and makes it due now: a change
   * made while an object backs off is tried at once. enqueued_at keeps the oldest wait.
   */
  private static final String ENQUEUE =
      """
      INSERT INTO platform.reconcile_outbox AS o (kind, object_key)
      SELECT ?, k FROM unnest(?::text[]) AS k
      ON CONFLICT (kind, object_key) DO UPDATE
         SET generation = o.generation + 1, next_attempt_at = now()
      """;

  private static final String STATES =
      """
      SELECT object_key, attempts, last_error FROM platform.reconcile_outbox
       WHERE kind = ? AND object_key = ANY (?::text[])
      """;

  /** Records that {@code key} of {@code kind} needs reconciling, in the caller's transaction. */
  public void enqueue(Connection connection, String kind, String key) throws SQLException {
    enqueueAll(connection, kind, java.util.List.of(key));
  }

  /** Records every key in one statement, in the caller's transaction. */
  public void enqueueAll(Connection connection, String kind, Collection<String> keys)
      throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = connection.prepareStatement(ENQUEUE);
        PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      insert.setString(1, kind); // ?1: the kind of every row
      insert.setArray(2, connection.createArrayOf("text", keys.toArray())); // ?2: the keys
      insert.executeUpdate();
      notify.setString(1, CHANNEL); // ?1: the channel the workers LISTEN on
      notify.setString(2, kind); // ?2: payload; PostgreSQL folds equal ones of a transaction
      notify.execute();
    }
  }

  /** The sync state of one object. */
  public SyncState state(Connection connection, String kind, String key) throws SQLException {
    return states(connection, kind, java.util.List.of(key)).get(key);
  }

  /** The sync state of each key (synced when nothing waits for it). */
  public Map<String, SyncState> states(Connection connection, String kind, Collection<String> keys)
      throws SQLException {
    Map<String, SyncState> states = new HashMap<>();
    keys.forEach(key -> states.put(key, SyncState.SYNCED));
    try (PreparedStatement select = connection.prepareStatement(STATES)) {
      select.setString(1, kind); // ?1: the kind
      select.setArray(2, connection.createArrayOf("text", keys.toArray())); // ?2: the keys
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String error = rows.getString("last_error");
          states.put(
              rows.getString("object_key"),
              new SyncState(error == null ? "pending" : "failed", error, rows.getInt("attempts")));
        }
      }
    }
    return states;
  }
}
