package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
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
 * long tasks took from submission to running; preemptions per rule and the GPU-seconds of work they
 * cost ({@code rota.queue.preemptions}, {@code rota.queue.preemption.lost.gpu.seconds}, read from
 * the database like the depths).
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
  static final String PREEMPTIONS = "rota.queue.preemptions";
  static final String GPU_SECONDS_LOST = "rota.queue.preemption.lost.gpu.seconds";

  /** The rules known when this was written; a rule added later gets its gauges when first seen. */
  static final List<String> RULES =
      List.of("lower-priority-in-node", "reclaim-borrowed", "borrowing-lower-priority");

  @Inject MetricRegistry registry;
  @Inject Transactions transactions;

  @Inject
  @ConfigProperty(name = "rota.queue.metrics-fresh-seconds", defaultValue = "5")
  long freshSeconds;

  private QueueDepths depths;
  private final Set<QueueDepths.Key> registered = ConcurrentHashMap.newKeySet();
  private PreemptionTotals preemptions;
  private final Set<String> rules = ConcurrentHashMap.newKeySet();

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
    preemptions =
        new PreemptionTotals(transactions, Duration.ofSeconds(freshSeconds), System::nanoTime);
    RULES.forEach(this::registerRule);
  }

  /**
   * Gauges of one preemption rule: decisions so far and the GPU-seconds of work they threw away.
   * Both only grow (while no task is deleted) and are the same on every instance, because they are
   * read from queue.preemptions rather than counted in this JVM; the first rule's read also
   * registers rules not seen before.
   */
  private void registerRule(String rule) {
    if (!rules.add(rule)) {
      return;
    }
    registry.gauge(
        PREEMPTIONS,
        this,
        m -> {
          m.preemptions.current().keySet().forEach(m::registerRule);
          return m.preemptions.of(rule).preemptions();
        },
        new Tag("rule", rule));
    registry.gauge(
        GPU_SECONDS_LOST,
        this,
        m -> m.preemptions.of(rule).gpuSecondsLost(),
        new Tag("rule", rule));
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
