package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Drives the queue on every server instance. A non-persistent EJB timer ticks every {@code
 * rota.queue.tick-millis}: it mirrors the cluster's capacity, renews this instance's dispatch
 * claims (the heartbeat), returns expired claims of any instance (the reaper), preempts what the
 * windows that started keep out of their pools ({@link WindowPreemption}) and wakes the {@link
 * QueueLoop}, which also wakes on LISTEN/NOTIFY. Rounds of one pool never overlap across instances
 * (each takes the pool's lock or leaves it to its holder) and claims never overlap (SKIP LOCKED and
 * leases), so any number of servers is correct. Callbacks run without a container transaction
 * ({@code NOT_SUPPORTED}), as every timer of Rota does: {@code Transactions} commits by hand.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class QueueTimers {

  private static final Logger LOG = Logger.getLogger(QueueTimers.class.getName());

  @Resource TimerService timers;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory threads;

  @Inject Transactions transactions;
  @Inject CapacitySync capacity;
  @Inject AdmissionService admission;
  @Inject Dispatcher dispatcher;
  @Inject WindowPreemption windows;

  @Inject
  @ConfigProperty(name = "rota.queue.tick-millis", defaultValue = "2000")
  long tickMillis;

  /** A tick that finds the previous one still running skips rather than piling up. */
  private final AtomicBoolean ticking = new AtomicBoolean();

  private QueueLoop loop;

  @PostConstruct
  void schedule() {
    timers.createIntervalTimer(tickMillis, tickMillis, new TimerConfig("queue-tick", false));
  }

  @Timeout
  void tick() {
    if (!ticking.compareAndSet(false, true)) {
      return;
    }
    try {
      dispatcher.heartbeat(); // first: claims must outlive a slow or failing cluster
      dispatcher.reap();
      dispatcher.rewind();
      windows.preempt(Instant.now()); // before the cluster: the database alone decides it
      capacity.watch(); // informers from the first tick on whose API server answers
      capacity.syncAll();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Queue tick failed; the next tick tries again", e);
    } finally {
      ticking.set(false);
    }
    loop().wake();
  }

  private synchronized QueueLoop loop() {
    if (loop == null) {
      loop = new QueueLoop(transactions, admission, dispatcher, threads);
    }
    return loop;
  }

  @PreDestroy
  synchronized void stop() {
    if (loop != null) {
      loop.close();
    }
  }
}
