package dev.rota.platform.internal.reconcile;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The controller loop's metrics: outbox depth, the oldest waiting row's age and the rows whose last
 * attempt failed (gauges refreshed on each poll tick, so a scrape costs no query), reconcile
 * latency and failures per kind, full resyncs run, and whether the Kubernetes API answers.
 */
@ApplicationScoped
public class OutboxMetrics implements OutboxWorker.Observer {

  @Inject MetricRegistry registry;

  private volatile double depth;
  private volatile double oldestSeconds;
  private volatile double failing;
  private volatile double kubernetesReachable = 1;

  @PostConstruct
  void register() {
    registry.gauge("rota.outbox.depth", this, m -> m.depth);
    registry.gauge("rota.outbox.oldest.pending.seconds", this, m -> m.oldestSeconds);
    registry.gauge("rota.outbox.failing", this, m -> m.failing);
    registry.gauge("rota.kubernetes.reachable", this, m -> m.kubernetesReachable);
  }

  @Override
  public void attempted(String kind, Duration took, boolean succeeded) {
    Tag tag = new Tag("kind", kind);
    registry.timer("rota.reconcile.duration", tag).update(took);
    if (!succeeded) {
      registry.counter("rota.reconcile.failures", tag).inc();
    }
  }

  void outbox(double[] stats) {
    depth = stats[0];
    oldestSeconds = stats[1];
    failing = stats[2];
  }

  void resyncRun() {
    registry.counter("rota.reconcile.resyncs").inc();
  }

  /** Set by the readiness check and the poll tick. */
  public void kubernetesReachable(boolean reachable) {
    kubernetesReachable = reachable ? 1 : 0;
  }
}
