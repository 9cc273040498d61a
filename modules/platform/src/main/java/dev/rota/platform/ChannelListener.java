package dev.rota.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Holds one dedicated session connection that LISTENs on one channel and wakes its workers on each
 * notification (the outbox's workers, the queue's). PostgreSQL keeps no notification for a session
 * that is gone, so after every (re)connect it LISTENs again and then wakes the workers once, to
 * drain what was enqueued meanwhile; the poll timer remains the net for everything else. Needs a
 * session connection: a direct one or one through session pooling, never transaction pooling.
 */
public class ChannelListener implements Runnable {

  private static final Logger LOG = Logger.getLogger(ChannelListener.class.getName());

  private final Supplier<DataSource> dataSource;
  private final String channel;
  private final Runnable wake;
  private volatile boolean running = true;
  private volatile boolean listening;

  /**
   * @param channel a PostgreSQL identifier in lower case, e.g. {@link Outbox#CHANNEL}
   */
  public ChannelListener(Supplier<DataSource> dataSource, String channel, Runnable wake) {
    if (!channel.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("Not a channel name: " + channel);
    }
    this.dataSource = dataSource;
    this.channel = channel;
    this.wake = wake;
  }

  @Override
  public void run() {
    long pause = 500;
    while (running) {
      try (Connection connection = dataSource.get().getConnection()) {
        connection.setAutoCommit(true);
        try (Statement listen = connection.createStatement()) {
          listen.execute("LISTEN " + channel); // checked to be an identifier
        }
        listening = true;
        pause = 500;
        wake.run(); // whatever was enqueued while nobody listened
        PGConnection notifications = connection.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] received = notifications.getNotifications(1000);
          if (received != null && received.length > 0) {
            wake.run();
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (running) {
          LOG.log(
              Level.WARNING, "Listener on " + channel + " lost its connection; reconnecting", e);
          sleep(pause);
          pause = Math.min(pause * 2, 30_000);
        }
      }
    }
    listening = false;
  }

  /** A listener on the database that {@code transactions} use (a session connection of its own). */
  public static ChannelListener of(Transactions transactions, String channel, Runnable wake) {
    return new ChannelListener(transactions::dataSource, channel, wake);
  }

  /** Whether the listener currently holds a LISTENing connection. */
  public boolean listening() {
    return listening;
  }

  public void stop() {
    running = false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
