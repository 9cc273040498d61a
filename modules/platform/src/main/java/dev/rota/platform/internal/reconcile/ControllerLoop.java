package dev.rota.platform.internal.reconcile;

import dev.rota.platform.ChannelListener;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One instance's share of the controller loop: a pool of drain threads and the listener that wakes
 * them. Whoever learns that work may be due calls {@link #wake()}: the listener on a notification
 * and after each reconnect, the poll timer on each tick (rows whose backoff ended, claims that
 * expired). Threads come from the given factory, in Liberty its managed thread factory.
 */
public class ControllerLoop implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ControllerLoop.class.getName());

  private final Transactions transactions;
  private final Outbox outbox;
  private final OutboxWorker worker;
  private final ExecutorService pool;
  private final int threads;
  private final ChannelListener listener;
  private final Thread listenerThread;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicBoolean pending = new AtomicBoolean();

  public ControllerLoop(
      Transactions transactions,
      Supplier<DataSource> dataSource,
      List<? extends Reconciler> reconcilers,
      OutboxWorker.Settings settings,
      OutboxWorker.Observer observer,
      ThreadFactory threadFactory,
      int threads) {
    this.transactions = transactions;
    this.outbox = new Outbox();
    this.worker = new OutboxWorker(transactions, reconcilers, settings, observer);
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads + 1, threadFactory);
    this.listener = new ChannelListener(dataSource, Outbox.CHANNEL, this::wake);
    this.listenerThread = threadFactory.newThread(listener);
    listenerThread.setName("rota-outbox-listener");
    listenerThread.setDaemon(true);
    listenerThread.start();
  }

  /**
   * Makes sure every drain thread runs soon; cheap to call often. A drain already running goes
   * round once more, so a wake-up that arrives while all threads are busy is never lost.
   */
  public void wake() {
    pending.set(true);
    for (int running = active.get(); running < threads; running = active.get()) {
      if (active.compareAndSet(running, running + 1)) {
        pool.execute(this::drain);
      }
    }
  }

  /** Enqueues (kind, key) in a transaction of its own, off the caller's thread (an informer's). */
  public void enqueueLater(String kind, String key) {
    pool.execute(
        () -> {
          try {
            transactions.write(
                "rota-watch",
                c -> {
                  outbox.enqueue(c, kind, key);
                  return null;
                });
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not enqueue " + kind + " " + key, e);
          }
        });
  }

  private void drain() {
    try {
      do {
        pending.set(false);
        worker.drain();
      } while (pending.get());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Outbox drain stopped; the next poll resumes it", e);
      pending.set(false); // the database is likely down: leave retrying to the poll timer
    } finally {
      active.decrementAndGet();
    }
    if (pending.get() && !pool.isShutdown()) {
      wake(); // it came while every thread was busy and this one was leaving
    }
  }

  public String workerName() {
    return worker.name();
  }

  public boolean listening() {
    return listener.listening();
  }

  @Override
  public void close() {
    listener.stop();
    pool.shutdown();
    try {
      listenerThread.join(3000);
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
