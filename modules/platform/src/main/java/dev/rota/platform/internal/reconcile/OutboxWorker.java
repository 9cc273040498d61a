package dev.rota.platform.internal.reconcile;

import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.reconcile.OutboxRepository.Claim;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Drains the outbox for a set of reconcilers: claims a batch of due rows (committed at once, so the
 * Kubernetes calls run outside any transaction), reconciles each, and settles each row in its own
 * short transaction: deleted when done, backed off when it failed. A failing object costs only its
 * own row a retry later; the others of the batch go on. Thread-safe: any number of threads may
 * drain at once, the claim keeps them apart.
 */
public class OutboxWorker {

  private static final Logger LOG = Logger.getLogger(OutboxWorker.class.getName());

  /** How long a claim lasts, the batch size and the backoff's first and longest delay. */
  public record Settings(
      Duration claimLease, int batch, Duration backoffBase, Duration backoffMax) {
    public static final Settings DEFAULTS =
        new Settings(Duration.ofSeconds(60), 20, Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** Told the outcome of every attempt, for metrics. */
  public interface Observer {
    void attempted(String kind, Duration took, boolean succeeded);

    Observer NONE = (kind, took, succeeded) -> {};
  }

  private final OutboxRepository outbox = new OutboxRepository();
  private final Transactions transactions;
  private final Map<String, Reconciler> reconcilers;
  private final Settings settings;
  private final Observer observer;
  private final String name;

  public OutboxWorker(
      Transactions transactions,
      List<? extends Reconciler> reconcilers,
      Settings settings,
      Observer observer) {
    this.transactions = transactions;
    this.reconcilers =
        reconcilers.stream().collect(Collectors.toMap(Reconciler::kind, Function.identity()));
    this.settings = settings;
    this.observer = observer;
    this.name = "worker-" + UUID.randomUUID();
  }

  /** This worker's name in the claims it makes (one per server instance). */
  public String name() {
    return name;
  }

  /** Reconciles due rows until none is left; returns how many attempts it made. */
  public int drain() {
    int attempts = 0;
    for (List<Claim> batch = claim(); !batch.isEmpty(); batch = claim()) {
      batch.forEach(this::attempt);
      attempts += batch.size();
    }
    return attempts;
  }

  /** Claims one batch; package-visible for the tests of the claim's guarantees. */
  List<Claim> claim() {
    return transactions.write(
        name,
        c -> outbox.claim(c, reconcilers.keySet(), settings.batch(), name, settings.claimLease()));
  }

  void attempt(Claim claim) {
    long started = System.nanoTime();
    try {
      reconcilers.get(claim.kind()).reconcile(claim.key());
      observer.attempted(claim.kind(), since(started), true);
      transactions.write(
          name,
          c -> {
            outbox.done(c, claim, name);
            return null;
          });
    } catch (Exception e) {
      observer.attempted(claim.kind(), since(started), false);
      // One line per object's first failure (an API outage fails every object); details at FINE.
      if (claim.attempts() == 0) {
        LOG.warning(
            "Reconciling "
                + claim.kind()
                + " "
                + claim.key()
                + " failed, retried with backoff: "
                + e.getMessage());
      }
      LOG.log(Level.FINE, "Reconciling " + claim.kind() + " " + claim.key() + " failed", e);
      // Shown to users on the object's sync state: the message only, never a class name.
      String error = e.getMessage() != null ? e.getMessage() : "the reconcile failed";
      transactions.write(
          name,
          c -> {
            outbox.failed(c, claim, name, error, settings.backoffBase(), settings.backoffMax());
            return null;
          });
    }
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}
