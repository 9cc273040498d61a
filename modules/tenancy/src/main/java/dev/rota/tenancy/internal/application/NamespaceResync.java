package dev.rota.tenancy.internal.application;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Repairs drift: every {@code rota.tenancy.resync-seconds} it reconciles every namespace with the
 * database, undoing changes made to the cluster by hand.
 */
@Singleton
@Startup
public class NamespaceResync {

  private static final Logger LOG = Logger.getLogger(NamespaceResync.class.getName());

  @Resource TimerService timers;
  @Inject NamespaceReconciler reconciler;

  @Inject
  @ConfigProperty(name = "rota.tenancy.resync-seconds", defaultValue = "300")
  long intervalSeconds;

  @PostConstruct
  void schedule() {
    long millis = intervalSeconds * 1000;
    timers.createIntervalTimer(millis, millis, new TimerConfig("namespace-resync", false));
  }

  @Timeout
  void resync() {
    try {
      int namespaces = reconciler.resyncAll();
      LOG.fine(() -> "Resynced " + namespaces + " namespaces");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Namespace resync failed; it runs again at the next interval", e);
    }
  }
}
