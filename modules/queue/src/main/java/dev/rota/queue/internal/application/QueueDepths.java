package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.PoolQueryRepository;
import dev.rota.queue.internal.persistence.PoolQueryRepository.DepthRow;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pending tasks per pool and PriorityClass, read from the database at most once per {@code
 * freshFor}: every gauge of a scrape, and scrapes close together, share one query.
 */
final class QueueDepths {

  private static final Logger LOG = Logger.getLogger(QueueDepths.class.getName());

  /** A pool and a class. */
  record Key(String pool, String priorityClass) {}

  private final PoolQueryRepository pools = new PoolQueryRepository();
  private final Transactions transactions;
  private final long freshForNanos;
  private final LongSupplier nanoTime;

  private Map<Key, Long> depths = Map.of();
  private long readAt;
  private boolean read;

  QueueDepths(Transactions transactions, Duration freshFor, LongSupplier nanoTime) {
    this.transactions = transactions;
    this.freshForNanos = freshFor.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The depths, read anew when the last read is older than {@code freshFor}. */
  synchronized Map<Key, Long> current() {
    long now = nanoTime.getAsLong();
    if (!read || now - readAt >= freshForNanos) {
      readAt = now;
      read = true;
      try {
        Map<Key, Long> fresh = new HashMap<>();
        for (DepthRow row : transactions.read(pools::depth)) {
          fresh.merge(new Key(row.pool(), row.priorityClass()), row.pending(), Long::sum);
        }
        depths = Map.copyOf(fresh);
      } catch (RuntimeException e) {
        // A scrape must not fail with the database: the last depths stand until the next try.
        LOG.log(Level.FINE, "Could not read the queue's depth; keeping the last one", e);
      }
    }
    return depths;
  }

  /** One pool and class; 0 once none of it waits. */
  long of(Key key) {
    return current().getOrDefault(key, 0L);
  }
}
