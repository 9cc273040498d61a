package dev.rota.platform.internal.reconcile;

import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.bootstrap.RotaBootstrap;
import dev.rota.platform.internal.database.ApplicationDataSource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs the controller loop inside Liberty: starts it (workers, listener, informers) on the first
 * tick after Rota's bootstrap, polls the outbox on every tick of a non-persistent timer (the net
 * under LISTEN/NOTIFY) and runs the full resync when this instance holds its lease. Timer callbacks
 * run without a container transaction ({@code NOT_SUPPORTED}), so {@link Transactions} commits by
 * hand exactly as it does on a request thread (see docs/decisions.md).
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ReconcileTimers {

  private static final Logger LOG = Logger.getLogger(ReconcileTimers.class.getName());
  private static final String POLL = "outbox-poll";
  private static final String RESYNC = "full-resync";

  @Resource TimerService timers;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory threads;

  @Inject @Any Instance<Reconciler> found;
  @Inject Transactions transactions;
  @Inject Outbox outbox;
  @Inject KubernetesClient kubernetes;
  @Inject Instance<Installation> installation;
  @Inject RotaBootstrap bootstrap;
  @Inject OutboxMetrics metrics;

  @Inject
  @ConfigProperty(name = "rota.reconcile.poll-seconds", defaultValue = "5")
  long pollSeconds;

  @Inject
  @ConfigProperty(name = "rota.reconcile.resync-seconds", defaultValue = "300")
  long resyncSeconds;

  @Inject
  @ConfigProperty(name = "rota.reconcile.workers", defaultValue = "4")
  int workers;

  @Inject
  @ConfigProperty(name = "rota.reconcile.claim-seconds", defaultValue = "60")
  long claimSeconds;

  @Inject
  @ConfigProperty(name = "rota.reconcile.backoff-base-ms", defaultValue = "1000")
  long backoffBaseMs;

  @Inject
  @ConfigProperty(name = "rota.reconcile.backoff-max-seconds", defaultValue = "300")
  long backoffMaxSeconds;

  private List<Reconciler> reconcilers;
  private ControllerLoop loop;
  private DriftWatch watch;
  private int watchFailures;

  @PostConstruct
  void schedule() {
    long poll = pollSeconds * 1000;
    long resync = resyncSeconds * 1000;
    timers.createIntervalTimer(poll, poll, new TimerConfig(POLL, false));
    // The first resync soon after start: it repairs whatever drifted while Rota was down.
    timers.createIntervalTimer(Math.min(resync, 15_000), resync, new TimerConfig(RESYNC, false));
  }

  @Timeout
  void tick(Timer timer) {
    if (!bootstrap.started()) {
      return;
    }
    try {
      ControllerLoop running = start();
      if (RESYNC.equals(timer.getInfo())) {
        resync(running);
      } else {
        running.wake();
        metrics.outbox(transactions.read(c -> new OutboxRepository().stats(c)));
        metrics.kubernetesReachable(kubernetesAnswers());
        startWatchIfNeeded(running);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Controller loop tick failed; the next tick tries again", e);
    }
  }

  private void resync(ControllerLoop running) {
    int enqueued =
        new FullResync(transactions, outbox)
            .runIfLeader(
                reconcilers, running.workerName(), Duration.ofSeconds(resyncSeconds * 2 + 30));
    if (enqueued >= 0) {
      metrics.resyncRun();
      LOG.fine(() -> "Full resync enqueued " + enqueued + " objects");
    }
  }

  private synchronized ControllerLoop start() {
    if (loop == null) {
      reconcilers = found.stream().toList();
      loop =
          new ControllerLoop(
              transactions,
              ApplicationDataSource::lookup,
              reconcilers,
              new OutboxWorker.Settings(
                  Duration.ofSeconds(claimSeconds),
                  20,
                  Duration.ofMillis(backoffBaseMs),
                  Duration.ofSeconds(backoffMaxSeconds)),
              metrics,
              threads,
              workers);
      LOG.info(
          () ->
              "Controller loop started: "
                  + workers
                  + " workers for "
                  + reconcilers.stream().map(Reconciler::kind).toList());
    }
    return loop;
  }

  /** Informers start once the API answers; until then the resync and the outbox suffice. */
  private synchronized void startWatchIfNeeded(ControllerLoop running) {
    if (watch == null && kubernetesAnswers()) {
      DriftWatch starting = new DriftWatch(kubernetes, installation.get(), running::enqueueLater);
      try {
        watch = starting.start(reconcilers);
      } catch (RuntimeException e) {
        starting.close(); // retried on a later tick; the outbox and the resync work without it
        LOG.log(watchFailures++ == 0 ? Level.WARNING : Level.FINE, "Informers did not start", e);
      }
    }
  }

  private boolean kubernetesAnswers() {
    try {
      kubernetes.nodes().list(new ListOptionsBuilder().withLimit(1L).build());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @PreDestroy
  synchronized void stop() {
    if (watch != null) {
      watch.close();
    }
    if (loop != null) {
      loop.close();
    }
  }
}
