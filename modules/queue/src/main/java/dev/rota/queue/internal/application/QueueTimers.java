package dev.rota.queue.internal.application;

import jakarta.annotation.PostConstruct;
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
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Drives the queue on every server instance: a non-persistent EJB timer mirrors the cluster's
 * capacity and runs an admission round for every pool. Rounds of one pool never overlap across
 * instances (each takes the pool's lock or leaves it to its holder), so any number of servers is
 * correct. Callbacks run without a container transaction ({@code NOT_SUPPORTED}), as every timer of
 * Rota does: {@code Transactions} commits by hand.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class QueueTimers {

  private static final Logger LOG = Logger.getLogger(QueueTimers.class.getName());

  @Resource TimerService timers;
  @Inject CapacitySync capacity;
  @Inject AdmissionService admission;

  @Inject
  @ConfigProperty(name = "rota.queue.tick-millis", defaultValue = "2000")
  long tickMillis;

  /** A tick that finds the previous one still running skips rather than piling up. */
  private final AtomicBoolean running = new AtomicBoolean();

  @PostConstruct
  void schedule() {
    timers.createIntervalTimer(tickMillis, tickMillis, new TimerConfig("queue-tick", false));
  }

  @Timeout
  void tick() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      capacity.syncAll();
      for (String pool : admission.pools()) {
        admission.admit(pool, Instant.now());
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Queue tick failed; the next tick tries again", e);
    } finally {
      running.set(false);
    }
  }
}
