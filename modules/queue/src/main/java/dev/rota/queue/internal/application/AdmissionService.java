package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.domain.Wait;
import dev.rota.queue.internal.persistence.AdmissionRepository;
import dev.rota.queue.internal.persistence.AdmissionRepository.Pending;
import dev.rota.queue.internal.persistence.AdmissionRepository.Room;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.Block;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Admits the pending tasks of one pool in one transaction: in priority order, then age; each gang
 * placed whole on the fullest nodes that fit it (only those its volumes live on, when it mounts
 * hostPath volumes), or not at all; checked against the pool's calendar now and, for a task with a
 * maxRuntime, the next window it would run into, and against the quota chain of the task's node. A
 * task that does not fit does not hold up smaller ones behind it, unless it has waited longer than
 * the starvation limit: then no task of its priority or lower is admitted in the pool before it.
 */
@ApplicationScoped
public class AdmissionService {

  static final String ACTOR = "rota:admission";

  /** The wait reasons that say the gang does not fit the free GPUs (for starvation). */
  static final Set<String> DOES_NOT_FIT =
      Set.of("capacity", "gang-does-not-fit", "volume-nodes-full");

  private final AdmissionRepository admission = new AdmissionRepository();
  private final Preemption preemption = new Preemption(admission);

  @Inject Transactions transactions;
  @Inject PoolAvailability availability;
  @Inject QueueMetrics metrics; // null outside the container

  @Inject
  @ConfigProperty(name = "rota.queue.admission-batch", defaultValue = "200")
  int batch;

  @Inject
  @ConfigProperty(name = "rota.queue.starvation-seconds", defaultValue = "3600")
  long starvationSeconds;

  /** Tasks that do not fit and may plan preemption in one round, first in admission order. */
  @Inject
  @ConfigProperty(name = "rota.queue.preemption-plans-per-round", defaultValue = "20")
  int preemptionPlans = 20;

  /** Decisions one round may make, which bounds how long it holds the pool. */
  @Inject
  @ConfigProperty(name = "rota.queue.admission-max-decisions", defaultValue = "5000")
  int maxDecisions = 5000;

  public AdmissionService() {}

  /** For tests and tools outside the container. */
  public AdmissionService(
      Transactions transactions, PoolAvailability availability, int batch, Duration starvation) {
    this.transactions = transactions;
    this.availability = availability;
    this.batch = batch;
    this.starvationSeconds = starvation.toSeconds();
  }

  /** What one round did; {@code busy} when another round held the pool. */
  public record Round(boolean busy, int admitted, int waiting) {}

  /** The pools that have pending tasks. */
  public List<String> pools() {
    return transactions.read(admission::poolsWithPending);
  }

  /** One admission round of the pool at {@code at}. */
  public Round admit(String pool, Instant at) {
    RoundState state = new RoundState();
    Round round =
        transactions.write(
            ACTOR,
            c -> {
              state.reset(preemptionPlans);
              return admit(c, pool, at, state);
            });
    if (metrics != null) {
      state.modes.forEach(mode -> metrics.admitted(pool, mode));
    }
    return round;
  }

  /**
   * The round that submitting {@code task} would start now, in the caller's transaction, up to and
   * including the task's own decision: the tasks ahead of it in admission order are decided first,
   * exactly as a real round would, and the ones behind it cannot change its outcome. Waits for a
   * round that holds the pool instead of skipping it. Simulate runs this and rolls it back.
   */
  public void decideUpTo(Connection c, TaskRow task, Instant at) throws SQLException {
    RoundState state = new RoundState();
    state.reset(preemptionPlans);
    state.stopAfter = task.id();
    admission.lockPool(c, task.pool());
    admit(c, task.pool(), at, state);
  }

  /**
   * What a round keeps while it goes: the quota modes of its admissions (counted in metrics once
   * they committed) and how many preemption plans it may still compute. Planning preemption costs a
   * statement over the pool's running tasks, so only the first tasks in admission order that do not
   * fit plan it in a round; the others wait for a later round.
   */
  private static final class RoundState {
    final List<String> modes = new ArrayList<>();
    int plansLeft;
    Long stopAfter; // a rehearsal ends with this task's decision; the pool is already held

    void reset(int plans) {
      modes.clear();
      plansLeft = plans;
    }
  }

  private Round admit(Connection c, String pool, Instant at, RoundState state) throws SQLException {
    if (state.stopAfter == null && !admission.tryLockPool(c, pool)) {
      return new Round(true, 0, 0);
    }
    admission.promote(c, pool); // what left since the last round may have freed guaranteed room
    int admitted = 0;
    int waiting = 0;
    Integer blockedAtOrBelow = null;
    TaskRow last = null;
    // Page through the whole queue in admission order, so that tasks that wait (at a limit, a gang
    // too big) never hide the ones behind them; stop when the pool has no GPU left to give or the
    // round has made its share of decisions (the next round starts again from the head).
    for (List<Pending> page = admission.pending(c, pool, null, batch);
        !page.isEmpty() && admitted + waiting < maxDecisions;
        page = admission.pending(c, pool, last, batch)) {
      for (Pending pending : page) {
        TaskRow task = pending.task();
        last = task;
        String why =
            blockedAtOrBelow != null && task.priority() <= blockedAtOrBelow
                ? waits(
                    c, task, new Wait("starving-task-ahead", Map.of("priority", blockedAtOrBelow)))
                : tryAdmit(c, pending, at, state);
        if (state.stopAfter != null && task.id() == state.stopAfter) {
          return new Round(
              false, admitted + (why == null ? 1 : 0), waiting + (why == null ? 0 : 1));
        }
        if (why == null) {
          admitted++;
          continue;
        }
        waiting++;
        if (blockedAtOrBelow == null && DOES_NOT_FIT.contains(why) && starving(task, at)) {
          blockedAtOrBelow = task.priority();
        }
      }
      if (page.size() < batch || admission.freeInPool(c, pool) == 0) {
        break;
      }
    }
    return new Round(false, admitted, waiting);
  }

  /** Admits the task and returns null, or records and returns why it waits. */
  private String tryAdmit(Connection c, Pending pending, Instant at, RoundState state)
      throws SQLException {
    TaskRow task = pending.task();
    PoolStatus status = availability.check(c, task.nodeId(), task.pool(), at);
    if (!status.mayRun()) {
      String reason =
          status.state() == PoolAvailability.State.MAINTENANCE ? "maintenance" : "reservation";
      return waits(
          c, task, new Wait(reason, Collections.singletonMap("windowId", status.windowId())));
    }
    if (pending.maxRuntime() != null) {
      Optional<Block> ahead =
          availability.nextBlock(c, task.nodeId(), task.pool(), at, pending.maxRuntime());
      if (ahead.isPresent()) {
        return waits(c, task, ahead(ahead.get(), pending.maxRuntime()));
      }
    }
    List<QuotaCheck.Level> chain = admission.quotaLevels(c, task);
    QuotaCheck.Outcome quota = QuotaCheck.of(chain, task.gpus());
    if (!quota.admissible()) {
      QuotaCheck.Level limit = quota.limitedBy().orElseThrow();
      Map<String, Object> numbers = new LinkedHashMap<>();
      numbers.put("nodeId", limit.nodeId());
      numbers.put("usedInPool", limit.usedInPool());
      numbers.put("poolLimit", limit.poolLimit());
      numbers.put("usedOverall", limit.usedOverall());
      numbers.put("totalLimit", limit.totalLimit());
      return waits(c, task, new Wait("limit", numbers));
    }
    List<String> nodes = admission.slots(c, pending);
    if (nodes.size() < task.replicas()) {
      Wait wait = doesNotFit(pending, admission.room(c, pending));
      if (state.plansLeft <= 0) {
        return waits(c, task, wait);
      }
      state.plansLeft--;
      return waits(c, task, preemption.preempt(c, task, wait));
    }
    if (!quota.inQuota() && admission.decidedInQuota(c, task)) {
      return waits(c, task, new Wait("guarantee-in-use", Map.of("quotaMode", "borrowing")));
    }
    admission.admit(c, task, nodes, quota.inQuota());
    state.modes.add(quota.inQuota() ? "in_quota" : "borrowing");
    return null;
  }

  /**
   * Why the gang found too few slots: too few free GPUs in the pool altogether (capacity); enough
   * GPUs, but spread so that too few nodes have room for a replica (gang-does-not-fit); or room in
   * the pool, but not on the nodes its volumes live on (volume-nodes-full).
   */
  private static Wait doesNotFit(Pending pending, Room room) {
    TaskRow task = pending.task();
    String reason =
        room.freeInPool() < task.gpus()
            ? "capacity"
            : room.placeableInPool() < task.replicas() ? "gang-does-not-fit" : "volume-nodes-full";
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put("replicas", task.replicas());
    numbers.put("gpusPerReplica", task.gpusPerReplica());
    numbers.put("needed", task.gpus());
    numbers.put("freeInPool", room.freeInPool());
    numbers.put("placeableInPool", room.placeableInPool());
    numbers.put("placeable", room.placeableOnTaskNodes());
    if (pending.nodeNames() != null) {
      numbers.put("volumeNodes", pending.nodeNames().size());
      numbers.put("freeOnVolumeNodes", room.freeOnTaskNodes());
      numbers.put("placeableOnVolumeNodes", room.placeableOnTaskNodes());
    }
    return new Wait(reason, numbers);
  }

  /** The window the task's maxRuntime would run into, and when it begins. */
  private static Wait ahead(Block block, Duration maxRuntime) {
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put("windowId", block.windowId());
    numbers.put("startsAt", block.startsAt().toString());
    numbers.put("maxRuntimeSeconds", maxRuntime.toSeconds());
    return new Wait(
        block.state() == PoolAvailability.State.MAINTENANCE
            ? "maintenance-ahead"
            : "reservation-ahead",
        numbers);
  }

  private String waits(Connection c, TaskRow task, Wait wait) throws SQLException {
    admission.waiting(c, task, wait);
    return wait.reason();
  }

  private boolean starving(TaskRow task, Instant at) {
    return task.queuedAt().plusSeconds(starvationSeconds).isBefore(at);
  }
}
