package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The queue's metrics: pending tasks per pool and PriorityClass ({@code rota.queue.depth}, and all
 * of them as {@code rota.queue.pending}), read from the database at most every few seconds however
 * often it is scraped; tasks admitted per pool and quota mode; how long a dispatch claim took; how
 * long tasks took from submission to running.
 *
 * <p>A pool and class get their depth gauge when a scrape first finds tasks waiting there (the
 * total's gauge reads the depths and registers the new ones), and keep it, reading 0, once none
 * wait.
 */
@ApplicationScoped
public class QueueMetrics {

  static final String DEPTH = "rota.queue.depth";
  static final String PENDING = "rota.queue.pending";
  static final String ADMITTED = "rota.queue.admitted";
  static final String CLAIM_LATENCY = "rota.queue.claim.latency";
  static final String SUBMIT_TO_RUNNING = "rota.queue.submit.to.running";

  @Inject MetricRegistry registry;
  @Inject Transactions transactions;

  @Inject
  @ConfigProperty(name = "rota.queue.metrics-fresh-seconds", defaultValue = "5")
  long freshSeconds;

  private QueueDepths depths;
  private final Set<QueueDepths.Key> registered = ConcurrentHashMap.newKeySet();

  /** Created with the application, so that the gauges exist before anything admits or claims. */
  void start(@Observes Startup startup) {
    // Touching the bean creates it; its @PostConstruct registers the metrics.
  }

  @PostConstruct
  void register() {
    depths = new QueueDepths(transactions, Duration.ofSeconds(freshSeconds), System::nanoTime);
    registry.gauge(PENDING, this, QueueMetrics::pending);
    registry.timer(CLAIM_LATENCY);
    registry.timer(SUBMIT_TO_RUNNING);
  }

  /** A task was admitted in {@code pool}, {@code in_quota} or {@code borrowing}. */
  public void admitted(String pool, String quotaMode) {
    registry.counter(ADMITTED, new Tag("pool", pool), new Tag("quota_mode", quotaMode)).inc();
  }

  /** How long one dispatch claim took, from asking the database to holding the task. */
  public void claimLatency(Duration took) {
    registry.timer(CLAIM_LATENCY).update(took);
  }

  /** How long a task took from submission until its Pods ran. */
  public void submitToRunning(Duration took) {
    registry.timer(SUBMIT_TO_RUNNING).update(took);
  }

  /** All pending tasks; registers the depth gauges of pools and classes seen for the first time. */
  private double pending() {
    Map<QueueDepths.Key, Long> now = depths.current();
    for (QueueDepths.Key key : now.keySet()) {
      if (registered.add(key)) {
        registry.gauge(
            DEPTH,
            this,
            m -> m.depths.of(key),
            new Tag("pool", key.pool()),
            new Tag("priority_class", key.priorityClass()));
      }
    }
    return now.values().stream().mapToLong(Long::longValue).sum();
  }
}
