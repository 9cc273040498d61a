package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.WindowPreemptionRepository;
import dev.rota.queue.internal.persistence.WindowPreemptionRepository.WindowVictim;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Preempts, on every queue tick, what the windows that hold a pool keep out of it: every task of a
 * pool in maintenance (rule {@code maintenance}), and other tenants' tasks of a reserved pool (rule
 * {@code reservation}), lowest priority first. One statement in one transaction decides and applies
 * it for every pool; the victims then leave as any preempted task does (their Pods deleted through
 * the outbox, requeued as the next attempt) and wait with reason maintenance or reservation until
 * the window ends. Idempotent, so every instance may run it on every tick.
 */
@ApplicationScoped
public class WindowPreemption {

  static final String ACTOR = "rota:windows";

  private static final Logger LOG = Logger.getLogger(WindowPreemption.class.getName());

  private final WindowPreemptionRepository windows = new WindowPreemptionRepository();

  @Inject Transactions transactions;

  public WindowPreemption() {}

  /** For tests and tools outside the container. */
  public WindowPreemption(Transactions transactions) {
    this.transactions = transactions;
  }

  /** Preempts what the windows holding pools at {@code at} keep out; returns the victims. */
  public List<WindowVictim> preempt(Instant at) {
    List<WindowVictim> victims = transactions.write(ACTOR, c -> windows.preempt(c, at));
    if (!victims.isEmpty()) {
      LOG.info(() -> "Windows that started preempted " + victims);
    }
    return victims;
  }
}
