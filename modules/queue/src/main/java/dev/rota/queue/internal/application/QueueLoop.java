package dev.rota.queue.internal.application;

import dev.rota.platform.ChannelListener;
import dev.rota.platform.Transactions;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One instance's queue worker: a round admits what fits in every pool with pending tasks, then
 * dispatches what was admitted. {@link #wake()} asks for a round; a wake-up that arrives during a
 * round makes one more, never one per wake-up. A listener on {@value #CHANNEL} wakes it when a task
 * is submitted, admitted or leaves (the triggers of V15 notify); the timer wakes it on every tick,
 * so a lost notification costs one tick.
 */
public class QueueLoop implements AutoCloseable {

  /** Notified by the tasks' triggers, with the pool as payload. */
  public static final String CHANNEL = "rota_queue";

  private static final Logger LOG = Logger.getLogger(QueueLoop.class.getName());

  private final AdmissionService admission;
  private final Dispatcher dispatcher;
  private final ExecutorService rounds;
  private final ChannelListener listener;
  private final Thread listenerThread;
  private final AtomicBoolean wanted = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();

  public QueueLoop(
      Transactions transactions,
      AdmissionService admission,
      Dispatcher dispatcher,
      ThreadFactory threads) {
    this.admission = admission;
    this.dispatcher = dispatcher;
    this.rounds = Executors.newSingleThreadExecutor(threads);
    this.listener = ChannelListener.of(transactions, CHANNEL, this::wake);
    this.listenerThread = threads.newThread(listener);
    listenerThread.setName("rota-queue-listener");
    listenerThread.setDaemon(true);
    listenerThread.start();
  }

  /** Asks for a round soon; cheap to call often. */
  public void wake() {
    wanted.set(true);
    if (running.compareAndSet(false, true)) {
      try {
        rounds.execute(this::rounds);
      } catch (RuntimeException e) { // shut down
        running.set(false);
      }
    }
  }

  public boolean listening() {
    return listener.listening();
  }

  private void rounds() {
    try {
      while (wanted.getAndSet(false)) {
        round();
      }
    } finally {
      running.set(false);
    }
    if (wanted.get() && !rounds.isShutdown()) {
      wake(); // it came while this round was leaving
    }
  }

  private void round() {
    try {
      for (String pool : admission.pools()) {
        admission.admit(pool, Instant.now());
      }
      dispatcher.dispatchAll();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Queue round failed; the next wake-up or tick tries again", e);
    }
  }

  @Override
  public void close() {
    listener.stop();
    rounds.shutdown();
    try {
      listenerThread.join(3000);
      rounds.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
