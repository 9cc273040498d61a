package dev.rota.platform.internal.reconcile;

import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The net under the watches: enqueues every key of every reconciler, on the one instance that holds
 * the {@value #LEASE} lease, so drift nobody saw is repaired and objects whose row is gone are
 * deleted. The workers of every instance then drain it as usual.
 */
public class FullResync {

  static final String LEASE = "full-resync";
  private static final Logger LOG = Logger.getLogger(FullResync.class.getName());

  private final Transactions transactions;
  private final Outbox outbox;
  private final Leases leases = new Leases();

  public FullResync(Transactions transactions, Outbox outbox) {
    this.transactions = transactions;
    this.outbox = outbox;
  }

  /**
   * Runs the resync if {@code instance} holds (or takes) the lease for {@code lease}; returns how
   * many keys it enqueued, or -1 when another instance leads.
   */
  public int runIfLeader(List<? extends Reconciler> reconcilers, String instance, Duration lease) {
    boolean leader = transactions.write(instance, c -> leases.acquire(c, LEASE, instance, lease));
    if (!leader) {
      return -1;
    }
    int enqueued = 0;
    for (Reconciler reconciler : reconcilers) {
      try {
        List<String> keys = List.copyOf(reconciler.resyncKeys());
        transactions.write(
            instance,
            c -> {
              outbox.enqueueAll(c, reconciler.kind(), keys);
              return null;
            });
        enqueued += keys.size();
      } catch (RuntimeException e) {
        // Kubernetes down, most likely: the next resync tries again; other kinds go on.
        LOG.log(Level.WARNING, "Resync of " + reconciler.kind() + " failed", e);
      }
    }
    return enqueued;
  }
}
