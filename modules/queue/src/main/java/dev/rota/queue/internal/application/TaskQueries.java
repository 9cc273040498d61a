package dev.rota.queue.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.queue.QueueException.TaskNotFound;
import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.domain.TaskStates;
import dev.rota.queue.internal.persistence.AdmissionRepository;
import dev.rota.queue.internal.persistence.PreemptionRecords;
import dev.rota.queue.internal.persistence.PreemptionRecords.Placement;
import dev.rota.queue.internal.persistence.PreemptionRecords.PreemptedBy;
import dev.rota.queue.internal.persistence.PreemptionRecords.VictimRecord;
import dev.rota.queue.internal.persistence.TaskQueryRepository;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Filter;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Standing;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Authorization.Visibility;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Tasks read across the tree: lists filtered by subtree, pool, state and class, and why a pending
 * task waits. A node the caller cannot see answers exactly as a missing one.
 */
@ApplicationScoped
public class TaskQueries {

  private final TaskRepository tasks = new TaskRepository();
  private final TaskQueryRepository queries = new TaskQueryRepository();
  private final AdmissionRepository admission = new AdmissionRepository();
  private final PreemptionRecords records = new PreemptionRecords();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject PoolAvailability availability;
  Clock clock = Clock.systemUTC();

  public TaskQueries() {}

  /** For tests and tools outside the container. */
  public TaskQueries(
      Transactions transactions,
      Authorization authorization,
      PoolAvailability availability,
      Clock clock) {
    this.transactions = transactions;
    this.authorization = authorization;
    this.availability = availability;
    this.clock = clock;
  }

  /**
   * Up to {@code limit} tasks the caller sees, newest first, after the task {@code beforeId}; with
   * a node, only that node's subtree (404 when the caller cannot see the node).
   */
  public List<TaskRow> list(Caller caller, Filter filter, Long beforeId, int limit) {
    TaskStates.requireKnown(filter.state());
    return transactions.read(
        c -> {
          if (filter.nodeId() != null) {
            authorization.require(c, caller, filter.nodeId(), Role.VIEWER, "see its tasks");
          }
          return queries.list(c, authorization.visibility(c, caller), filter, beforeId, limit);
        });
  }

  /**
   * What a task is doing and why. Every task: each of its attempts that was preempted, by whom (the
   * preemptor's id only if the caller sees it), which rule and when. A pending task: what the last
   * admission round recorded, the numbers now and, while it preempts, its victims. An admitted,
   * running or preempting task: where it holds GPUs and until when minRuntime protects it.
   */
  public Explanation explain(Caller caller, long id) {
    return transactions.read(
        c -> {
          TaskRow task = visible(c, caller, id);
          Instant at = clock.instant();
          Visibility seen = authorization.visibility(c, caller);
          List<PreemptedBy> preemptedBy = records.preemptedBy(c, id, seen);
          if (!task.state().equals(TaskStates.PENDING)) {
            Placement placement = HOLDING.contains(task.state()) ? records.placement(c, id) : null;
            return new Explanation(
                task, at, null, null, null, null, placement, preemptedBy, List.of());
          }
          Standing standing = queries.standing(c, id);
          List<QuotaCheck.Level> chain = admission.quotaLevels(c, task);
          QuotaCheck.Outcome quota = QuotaCheck.of(chain, task.gpus());
          PoolStatus calendar = availability.check(c, task.nodeId(), task.pool(), at);
          return new Explanation(
              task,
              at,
              standing,
              chain,
              quota,
              calendar,
              null,
              preemptedBy,
              records.victims(c, id, seen));
        });
  }

  /** The states in which a task holds GPUs on cluster nodes. */
  private static final Set<String> HOLDING = Set.of("admitted", "running", "preempting");

  /**
   * A task's explanation. The pending parts ({@code standing}, {@code chain}, {@code quota}, {@code
   * calendar}) are null for a task that does not wait; {@code placement} is null unless it holds
   * GPUs.
   *
   * @param at when the live numbers were read
   * @param chain the task's quota chain in its pool, its own node first
   * @param preemptedBy its preempted attempts, oldest first
   * @param victims a pending task's open preemption: the tasks it preempted and waits for
   */
  public record Explanation(
      TaskRow task,
      Instant at,
      Standing standing,
      List<QuotaCheck.Level> chain,
      QuotaCheck.Outcome quota,
      PoolStatus calendar,
      Placement placement,
      List<PreemptedBy> preemptedBy,
      List<VictimRecord> victims) {

    /**
     * The first check admission would fail now, in its order: {@code maintenance} or {@code
     * reservation}, {@code limit}, {@code capacity}, {@code gang-does-not-fit}; null when the gang
     * would fit now (the tasks ahead of it may still take the room first) or it does not wait.
     */
    public String blocking() {
      if (standing == null) {
        return null;
      }
      if (!calendar.mayRun()) {
        return calendar.state() == PoolAvailability.State.MAINTENANCE
            ? "maintenance"
            : "reservation";
      }
      if (!quota.admissible()) {
        return "limit";
      }
      if (standing.freeGpus() < task.gpus()) {
        return "capacity";
      }
      if (standing.replicaSlots() < task.replicas()) {
        return "gang-does-not-fit";
      }
      return null;
    }
  }

  /** The task, if the caller sees its node; otherwise exactly as if it did not exist. */
  private TaskRow visible(Connection c, Caller caller, long id) throws SQLException {
    TaskRow task = tasks.find(c, id).orElseThrow(() -> new TaskNotFound(id));
    try {
      authorization.require(c, caller, task.nodeId(), Role.VIEWER, "see this task");
    } catch (NodeNotFound unseen) {
      throw new TaskNotFound(id);
    }
    return task;
  }
}
