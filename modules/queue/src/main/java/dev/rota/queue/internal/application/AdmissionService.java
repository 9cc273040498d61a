package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.domain.Wait;
import dev.rota.queue.internal.persistence.AdmissionRepository;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Admits the pending tasks of one pool in one transaction: in priority order, then age; each gang
 * placed whole on the fullest nodes that fit it, or not at all; checked against the pool's calendar
 * and the quota chain of the task's node. A task that does not fit does not hold up smaller ones
 * behind it, unless it has waited longer than the starvation limit: then no task of its priority or
 * lower is admitted in the pool before it.
 */
@ApplicationScoped
public class AdmissionService {

  static final String ACTOR = "rota:admission";

  private final AdmissionRepository admission = new AdmissionRepository();

  @Inject Transactions transactions;
  @Inject PoolAvailability availability;

  @Inject
  @ConfigProperty(name = "rota.queue.admission-batch", defaultValue = "200")
  int batch;

  @Inject
  @ConfigProperty(name = "rota.queue.starvation-seconds", defaultValue = "3600")
  long starvationSeconds;

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
    return transactions.write(ACTOR, c -> admit(c, pool, at));
  }

  private Round admit(Connection c, String pool, Instant at) throws SQLException {
    if (!admission.tryLockPool(c, pool)) {
      return new Round(true, 0, 0);
    }
    int admitted = 0;
    int waiting = 0;
    Integer blockedAtOrBelow = null;
    for (TaskRow task : admission.pending(c, pool, batch)) {
      String why =
          blockedAtOrBelow != null && task.priority() <= blockedAtOrBelow
              ? waits(
                  c, task, new Wait("starving-task-ahead", Map.of("priority", blockedAtOrBelow)))
              : tryAdmit(c, task, at);
      if (why == null) {
        admitted++;
        continue;
      }
      waiting++;
      if (blockedAtOrBelow == null && why.equals("capacity") && starving(task, at)) {
        blockedAtOrBelow = task.priority();
      }
    }
    return new Round(false, admitted, waiting);
  }

  /** Admits the task and returns null, or records and returns why it waits. */
  private String tryAdmit(Connection c, TaskRow task, Instant at) throws SQLException {
    PoolStatus status = availability.check(c, task.nodeId(), task.pool(), at);
    if (!status.mayRun()) {
      String reason =
          status.state() == PoolAvailability.State.MAINTENANCE ? "maintenance" : "reservation";
      return waits(
          c, task, new Wait(reason, Collections.singletonMap("windowId", status.windowId())));
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
    List<String> nodes = admission.slots(c, task);
    if (nodes.size() < task.replicas()) {
      return waits(
          c,
          task,
          new Wait(
              "capacity",
              Map.of(
                  "replicas", task.replicas(),
                  "gpusPerReplica", task.gpusPerReplica(),
                  "placeable", nodes.size())));
    }
    admission.admit(c, task, nodes, quota.inQuota());
    return null;
  }

  private String waits(Connection c, TaskRow task, Wait wait) throws SQLException {
    admission.waiting(c, task, wait);
    return wait.reason();
  }

  private boolean starving(TaskRow task, Instant at) {
    return task.queuedAt().plusSeconds(starvationSeconds).isBefore(at);
  }
}
