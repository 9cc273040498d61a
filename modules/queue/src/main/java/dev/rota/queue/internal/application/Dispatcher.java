package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.DispatchRepository;
import dev.rota.queue.internal.persistence.DispatchRepository.Claim;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This instance's dispatch worker: claims admitted tasks in batches ({@code FOR UPDATE SKIP
 * LOCKED}, committed at once), creates each one's Pods through {@link TaskReconciler#dispatch} and
 * records the dispatch while it still holds the claim. A failed dispatch gives the claim back with
 * a backoff. The instance's heartbeat renews its claims; the reaper, run by every instance, returns
 * claims whose lease ran out. Thread-safe: any number of threads and instances may dispatch at
 * once.
 */
@ApplicationScoped
public class Dispatcher {

  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

  private final DispatchRepository claims = new DispatchRepository();
  private final String worker = "dispatch-" + UUID.randomUUID();
  private volatile Claim cursor;

  /**
   * The claims this instance is working on: the heartbeat renews these only. A claim a failed round
   * left behind (the database went away between claim and record) must run out and be reaped, not
   * be renewed for as long as the instance lives.
   */
  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  @Inject Transactions transactions;
  @Inject TaskReconciler pods;
  @Inject QueueMetrics metrics; // null outside the container

  @Inject
  @ConfigProperty(name = "rota.queue.claim-lease-seconds", defaultValue = "30")
  long leaseSeconds;

  @Inject
  @ConfigProperty(name = "rota.queue.dispatch-batch", defaultValue = "20")
  int batch;

  @Inject
  @ConfigProperty(name = "rota.queue.dispatch-backoff-seconds", defaultValue = "5")
  long backoffSeconds;

  public Dispatcher() {}

  /** For tests and tools outside the container. */
  public Dispatcher(
      Transactions transactions, TaskReconciler pods, Duration lease, int batch, Duration backoff) {
    this.transactions = transactions;
    this.pods = pods;
    this.leaseSeconds = lease.toSeconds();
    this.batch = batch;
    this.backoffSeconds = backoff.toSeconds();
  }

  /** This instance's name in the claims it holds. */
  public String worker() {
    return worker;
  }

  /** Dispatches until nothing admitted is left unclaimed; returns how many it dispatched. */
  public int dispatchAll() {
    int dispatched = 0;
    for (List<Claim> batch = claim(); !batch.isEmpty(); batch = claim()) {
      try {
        List<Claim> made = new ArrayList<>();
        for (Claim claim : batch) {
          if (createPods(claim)) {
            made.add(claim);
          }
        }
        dispatched += complete(made).size();
      } finally {
        abandon(batch); // after a failure, what is left runs out and the reaper returns it
      }
    }
    return dispatched;
  }

  /**
   * Claims one batch, continuing after this worker's previous claim; the heartbeat keeps it until
   * it is dispatched or abandoned. Starting from the head every time would walk the index entries
   * of every task claimed since the oldest open snapshot began (QueueBenchmark, part 4); a task
   * that falls behind the cursor (a reaped claim, a backoff, an admission that committed late) is
   * claimed after the next {@link #rewind()}, one tick at most.
   */
  public List<Claim> claim() {
    Duration lease = Duration.ofSeconds(leaseSeconds);
    Claim after = cursor;
    List<Claim> claimed =
        transactions.write(QueueActors.DISPATCH, c -> claims.claim(c, worker, batch, lease, after));
    claimed.forEach(claim -> held.add(claim.taskId()));
    if (!claimed.isEmpty()) {
      cursor = claimed.get(claimed.size() - 1);
    }
    if (metrics != null) {
      Instant now = Instant.now();
      claimed.forEach(claim -> metrics.claimLatency(Duration.between(claim.admittedAt(), now)));
    }
    return claimed;
  }

  /** Starts the next claim from the oldest admission again (every tick). */
  public void rewind() {
    cursor = null;
  }

  /**
   * Stops renewing these claims: unless recorded, their leases run out and the reaper frees them.
   */
  void abandon(List<Claim> claimed) {
    claimed.forEach(claim -> held.remove(claim.taskId()));
  }

  /** Dispatches one claimed task; whether the dispatch was recorded. */
  public boolean dispatch(Claim claim) {
    try {
      return createPods(claim) && !complete(List.of(claim)).isEmpty();
    } finally {
      abandon(List.of(claim));
    }
  }

  /** Creates the claimed task's Pods; on failure gives the claim back with a backoff. */
  private boolean createPods(Claim claim) {
    try {
      pods.dispatch(claim.taskId(), claim.attempt());
      return true;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Dispatch of task " + claim.taskId() + " failed; retried", e);
      String error = e.getMessage() != null ? e.getMessage() : "the dispatch failed";
      transactions.write(
          QueueActors.DISPATCH,
          c -> {
            claims.release(c, claim, worker, error, Duration.ofSeconds(backoffSeconds));
            return null;
          });
      return false;
    }
  }

  /**
   * Records the dispatches whose claims still hold, in one transaction, and in any case has the
   * tasks' Pods reconciled: that observes their phases, and removes them if a task was cancelled
   * while they were made. Returns the tasks recorded.
   */
  public Set<Long> complete(List<Claim> made) {
    if (made.isEmpty()) {
      return Set.of();
    }
    return transactions.write(
        QueueActors.DISPATCH,
        c -> {
          Set<Long> recorded = claims.complete(c, made, worker);
          pods.enqueueAll(c, made.stream().map(Claim::taskId).toList());
          return recorded;
        });
  }

  /** Renews the claims this instance is working on; returns how many. */
  public int heartbeat() {
    Long[] working = held.toArray(Long[]::new);
    if (working.length == 0) {
      return 0;
    }
    return transactions.write(
        QueueActors.DISPATCH,
        c -> claims.heartbeat(c, worker, working, Duration.ofSeconds(leaseSeconds)));
  }

  /** Returns expired claims to the queue; returns the tasks concerned. */
  public List<Long> reap() {
    List<Long> reaped = transactions.write(QueueActors.DISPATCH, claims::reap);
    if (!reaped.isEmpty()) {
      LOG.info(() -> "Returned the expired dispatch claims of tasks " + reaped);
    }
    return reaped;
  }
}
