package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.PreemptionRecords;
import dev.rota.queue.internal.persistence.PreemptionRecords.RuleTotal;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Preemptions per rule and the GPU-seconds they cost, read from {@code queue.preemptions} at most
 * once per {@code freshFor}. Derived from the database rather than counted in memory, so every
 * server instance reports the same cluster-wide totals, a restart loses nothing, and a decision
 * that was rolled back (simulate, a failed round) never counts.
 */
final class PreemptionTotals {

  private static final Logger LOG = Logger.getLogger(PreemptionTotals.class.getName());

  private final PreemptionRecords records = new PreemptionRecords();
  private final Transactions transactions;
  private final long freshForNanos;
  private final LongSupplier nanoTime;

  private Map<String, RuleTotal> totals = Map.of();
  private long readAt;
  private boolean read;

  PreemptionTotals(Transactions transactions, Duration freshFor, LongSupplier nanoTime) {
    this.transactions = transactions;
    this.freshForNanos = freshFor.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The totals by rule, read anew when the last read is older than {@code freshFor}. */
  synchronized Map<String, RuleTotal> current() {
    long now = nanoTime.getAsLong();
    if (!read || now - readAt >= freshForNanos) {
      readAt = now;
      read = true;
      try {
        totals = Map.copyOf(transactions.read(records::totals));
      } catch (RuntimeException e) {
        // A scrape must not fail with the database: the last totals stand until the next try.
        LOG.log(Level.FINE, "Could not read the preemption totals; keeping the last ones", e);
      }
    }
    return totals;
  }

  /** One rule's totals; zero before its first preemption. */
  RuleTotal of(String rule) {
    return current().getOrDefault(rule, new RuleTotal(0, 0));
  }
}
