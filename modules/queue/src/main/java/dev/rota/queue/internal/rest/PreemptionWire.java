package dev.rota.queue.internal.rest;

import dev.rota.queue.internal.application.TaskSimulator.Simulation;
import dev.rota.queue.internal.persistence.PreemptionRecords.NodeShare;
import dev.rota.queue.internal.persistence.PreemptionRecords.Placement;
import dev.rota.queue.internal.persistence.PreemptionRecords.PreemptedBy;
import dev.rota.queue.internal.persistence.PreemptionRecords.VictimRecord;
import dev.rota.queue.internal.persistence.TaskRow;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;

/** Response bodies that show preemption: simulate's outcome and explain's preemption parts. */
public final class PreemptionWire {

  private PreemptionWire() {}

  /**
   * What submitting the task would do now; nothing of it was kept.
   *
   * @param outcome {@code admitted}, {@code preempting} or {@code waiting}
   * @param quotaMode admitted: its mode; preempting: the mode it will have once its victims left
   * @param waitReason waiting: why (null when the round ended before reaching it)
   */
  public record SimulationView(
      Instant at,
      String outcome,
      String pool,
      String priorityClass,
      int priority,
      int replicas,
      int gpusPerReplica,
      String quotaMode,
      List<NodeShareView> nodes,
      List<VictimView> victims,
      String waitReason,
      JsonObject waitDetail) {
    static SimulationView of(Simulation s) {
      TaskRow t = s.task();
      boolean waiting = s.outcome().equals("waiting");
      return new SimulationView(
          s.at(),
          s.outcome(),
          t.pool(),
          t.priorityClass(),
          t.priority(),
          t.replicas(),
          t.gpusPerReplica(),
          s.quotaMode(),
          s.nodes().stream().map(NodeShareView::of).toList(),
          s.victims().stream().map(VictimView::of).toList(),
          waiting ? t.waitReason() : null,
          waiting ? detail(t.waitDetail()) : null);
    }
  }

  /** GPUs of the task on one cluster node. */
  public record NodeShareView(String node, int replicas, int gpus) {
    static NodeShareView of(NodeShare n) {
      return new NodeShareView(n.nodeName(), n.replicas(), n.gpus());
    }
  }

  /**
   * A task preempted for this one; {@code taskId} only when you can see it ({@code visible}).
   *
   * @param outstanding its Pods are not gone yet
   */
  public record VictimView(
      Long taskId,
      boolean visible,
      String rule,
      String node,
      int gpusFreed,
      int priority,
      String quotaMode,
      boolean outstanding,
      Instant decidedAt) {
    static VictimView of(VictimRecord v) {
      return new VictimView(
          v.taskId(),
          v.visible(),
          v.rule(),
          v.nodeName(),
          v.gpusFreed(),
          v.priority(),
          v.quotaMode(),
          v.outstanding(),
          v.decidedAt());
    }
  }

  /**
   * One preempted attempt of this task: by whom ({@code byTaskId} only when you can see that task),
   * which rule, on which node and when.
   */
  public record PreemptedByView(
      int attempt,
      Long byTaskId,
      boolean byVisible,
      String rule,
      String node,
      int gpusFreed,
      Instant at) {
    static PreemptedByView of(PreemptedBy p) {
      return new PreemptedByView(
          p.attempt(),
          p.preemptorId(),
          p.preemptorVisible(),
          p.rule(),
          p.nodeName(),
          p.gpusFreed(),
          p.decidedAt());
    }
  }

  /**
   * Where an admitted, running or preempting task holds GPUs, and until when its minRuntime
   * protects it from preemption ({@code protectedUntil} null: no minRuntime; {@code protectedNow}
   * whether that time is still ahead).
   */
  public record RunsView(
      List<NodeShareView> nodes,
      Instant admittedAt,
      Instant startedAt,
      Instant protectedUntil,
      boolean protectedNow) {
    static RunsView of(Placement p, Instant now) {
      return new RunsView(
          p.nodes().stream().map(NodeShareView::of).toList(),
          p.admittedAt(),
          p.startedAt(),
          p.protectedUntil(),
          p.protectedUntil() != null && p.protectedUntil().isAfter(now));
    }
  }

  /**
   * A wait's numbers as JSON, without the victims' ids a preemption's detail keeps: those are shown
   * as {@link VictimView}s, with ids only where the caller may see them.
   */
  static JsonObject detail(String json) {
    if (json == null) {
      return null;
    }
    JsonObject detail;
    try (var reader = Json.createReader(new StringReader(json))) {
      detail = reader.readObject();
    }
    if (!detail.containsKey("victims")) {
      return detail;
    }
    JsonObjectBuilder without = Json.createObjectBuilder(detail);
    without.remove("victims");
    return without.build();
  }
}
