package dev.rota.queue.internal.rest;

import dev.rota.queue.internal.application.PoolQueries.Pool;
import dev.rota.queue.internal.application.TaskQueries.Explanation;
import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository.DepthRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository.NodeRow;
import dev.rota.queue.internal.persistence.TaskQueryRepository.QueueEntry;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Standing;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Response bodies of the queue's read-only views: pools, a pool's queue, explain, classes. */
public final class QueueWire {

  private QueueWire() {}

  /** A PriorityClass of the cluster. */
  public record PriorityClassView(
      String name, int value, String preemptionPolicy, boolean globalDefault) {
    static PriorityClassView of(PriorityClassRow row) {
      return new PriorityClassView(
          row.name(), row.value(), row.preemptionPolicy(), row.globalDefault());
    }
  }

  /** A GPU pool: its nodes, their totals and its queue. */
  public record PoolView(
      String name, PoolTotals totals, QueueDepth queue, List<ClusterNodeView> nodes) {
    static PoolView of(Pool pool) {
      List<NodeRow> nodes = pool.nodes();
      PoolTotals totals =
          new PoolTotals(
              nodes.size(),
              (int) nodes.stream().filter(NodeRow::schedulable).count(),
              nodes.stream().mapToInt(NodeRow::allocatableGpus).sum(),
              nodes.stream().mapToInt(n -> n.heldGpus() + n.foreignGpus()).sum(),
              nodes.stream().mapToInt(NodeRow::freeGpus).sum(),
              nodes.stream().filter(NodeRow::schedulable).mapToInt(NodeRow::freeGpus).sum());
      QueueDepth queue =
          new QueueDepth(
              pool.depth().stream().mapToLong(DepthRow::pending).sum(),
              pool.depth().stream()
                  .map(d -> new ClassDepth(d.priorityClass(), d.priority(), d.pending()))
                  .toList());
      return new PoolView(
          pool.name(), totals, queue, nodes.stream().map(ClusterNodeView::of).toList());
    }
  }

  /**
   * A pool's GPUs together; {@code schedulableFreeGpus} counts only Ready, uncordoned nodes, the
   * ones admission places work on.
   */
  public record PoolTotals(
      int nodes,
      int schedulableNodes,
      int allocatableGpus,
      int usedGpus,
      int freeGpus,
      int schedulableFreeGpus) {}

  /** Pending tasks of a pool, in all and per PriorityClass (highest priority first). */
  public record QueueDepth(long pending, List<ClassDepth> byPriority) {}

  /** Pending tasks of one class. */
  public record ClassDepth(String priorityClass, int priority, long pending) {}

  /** A node of a pool; used GPUs are those Rota holds plus those Pods Rota did not create hold. */
  public record ClusterNodeView(
      String name,
      int allocatableGpus,
      int heldGpus,
      int foreignGpus,
      int usedGpus,
      int freeGpus,
      boolean ready,
      boolean unschedulable) {
    static ClusterNodeView of(NodeRow n) {
      return new ClusterNodeView(
          n.name(),
          n.allocatableGpus(),
          n.heldGpus(),
          n.foreignGpus(),
          n.heldGpus() + n.foreignGpus(),
          n.freeGpus(),
          n.ready(),
          n.unschedulable());
    }
  }

  /**
   * One place in a pool's queue. For a task of a node the caller cannot see, only its place,
   * priority and size are shown ({@code visible} false; the other fields are absent).
   */
  public record QueueEntryView(
      long position,
      boolean visible,
      int priority,
      int replicas,
      int gpusPerReplica,
      Long id,
      Long nodeId,
      String priorityClass,
      String submittedBy,
      Instant queuedAt,
      String waitReason) {
    static QueueEntryView of(QueueEntry entry) {
      TaskRow t = entry.task();
      if (!entry.visible()) {
        return new QueueEntryView(
            entry.position(),
            false,
            t.priority(),
            t.replicas(),
            t.gpusPerReplica(),
            null,
            null,
            null,
            null,
            null,
            null);
      }
      return new QueueEntryView(
          entry.position(),
          true,
          t.priority(),
          t.replicas(),
          t.gpusPerReplica(),
          t.id(),
          t.nodeId(),
          t.priorityClass(),
          t.submittedBy(),
          t.queuedAt(),
          t.waitReason());
    }
  }

  /**
   * What a task is doing and why. A pending task: its place, what the last admission round
   * recorded, the numbers now and the victims it is preempting ({@code preempting}). A task holding
   * GPUs: where, and until when minRuntime protects it ({@code runs}). Any task: its preempted
   * attempts ({@code preemptedBy}). Parts that do not apply are absent.
   */
  public record ExplainView(
      long taskId,
      String pool,
      String state,
      int attempt,
      Long position,
      Long queueLength,
      LastRound lastRound,
      Now now,
      List<PreemptionWire.VictimView> preempting,
      PreemptionWire.RunsView runs,
      List<PreemptionWire.PreemptedByView> preemptedBy) {
    static ExplainView of(Explanation e) {
      TaskRow t = e.task();
      List<PreemptionWire.PreemptedByView> preemptedBy =
          e.preemptedBy().stream().map(PreemptionWire.PreemptedByView::of).toList();
      if (e.standing() == null) {
        return new ExplainView(
            t.id(),
            t.pool(),
            t.state(),
            t.attempt(),
            null,
            null,
            null,
            null,
            null,
            e.placement() == null ? null : PreemptionWire.RunsView.of(e.placement(), e.at()),
            preemptedBy);
      }
      Standing s = e.standing();
      LastRound last =
          t.waitReason() == null
              ? null
              : new LastRound(t.waitReason(), PreemptionWire.detail(t.waitDetail()));
      CalendarNow calendar = CalendarNow.of(e.calendar());
      QuotaNow quota = QuotaNow.of(e.chain(), e.quota());
      Now now =
          new Now(
              e.at(),
              t.replicas(),
              t.gpusPerReplica(),
              s.schedulableNodes(),
              s.freeGpus(),
              s.largestFreeOnNode(),
              s.nodesFittingReplica(),
              s.replicaSlots(),
              calendar,
              quota,
              e.blocking());
      return new ExplainView(
          t.id(),
          t.pool(),
          t.state(),
          t.attempt(),
          s.position(),
          s.queueLength(),
          last,
          now,
          e.victims().stream().map(PreemptionWire.VictimView::of).toList(),
          null,
          preemptedBy);
    }
  }

  /** The reason code the last admission round recorded for the task, with its numbers. */
  public record LastRound(String reason, JsonObject detail) {}

  /**
   * The pool as it is now, for this task's gang.
   *
   * @param blocking the first check admission would fail now, in its order (calendar, quota,
   *     capacity, gang); null when the gang would fit now, ahead of the tasks before it
   */
  public record Now(
      Instant at,
      int replicas,
      int gpusPerReplica,
      long schedulableNodes,
      long freeGpus,
      long largestFreeOnNode,
      long nodesFittingReplica,
      long replicaSlots,
      CalendarNow calendar,
      QuotaNow quota,
      String blocking) {}

  /**
   * The pool's calendar for this task now: {@code free}, {@code reserved-for-you}, {@code
   * reserved-for-other} or {@code maintenance}, with the window that holds the pool.
   */
  public record CalendarNow(String state, boolean mayRun, Long windowId) {
    static CalendarNow of(PoolStatus status) {
      return new CalendarNow(
          switch (status.state()) {
            case FREE -> "free";
            case RESERVED_FOR_NODE -> "reserved-for-you";
            case RESERVED_FOR_OTHER -> "reserved-for-other";
            case MAINTENANCE -> "maintenance";
          },
          status.mayRun(),
          status.windowId());
    }
  }

  /**
   * The task's quota chain in its pool, its own node first: {@code in-quota}, {@code borrowing} or
   * {@code limit} (then {@code limitedBy} is the lowest level whose limit the task would exceed).
   */
  public record QuotaNow(String outcome, Long limitedBy, List<QuotaLevelView> chain) {
    static QuotaNow of(List<QuotaCheck.Level> chain, QuotaCheck.Outcome outcome) {
      return new QuotaNow(
          !outcome.admissible() ? "limit" : outcome.inQuota() ? "in-quota" : "borrowing",
          outcome.limitedBy().map(QuotaCheck.Level::nodeId).orElse(null),
          chain.stream().map(QuotaLevelView::of).toList());
    }
  }

  /** One level of the quota chain: what its subtree uses and what it may use. */
  public record QuotaLevelView(
      long nodeId,
      int usedInPool,
      int usedOverall,
      int guaranteedInPool,
      int totalGuaranteed,
      Integer poolLimit,
      Integer totalLimit) {
    static QuotaLevelView of(QuotaCheck.Level l) {
      return new QuotaLevelView(
          l.nodeId(),
          l.usedInPool(),
          l.usedOverall(),
          l.guaranteedInPool(),
          l.totalGuaranteed(),
          l.poolLimit(),
          l.totalLimit());
    }
  }
}
