package dev.rota.queue.internal.application;

import dev.rota.queue.internal.domain.QuotaCheck;
import dev.rota.queue.internal.domain.Wait;
import dev.rota.queue.internal.persistence.AdmissionRepository;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.queue.internal.persistence.VictimRepository;
import dev.rota.queue.internal.persistence.VictimRepository.Freed;
import dev.rota.queue.internal.persistence.VictimRepository.Plan;
import dev.rota.queue.internal.persistence.VictimRepository.Victim;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, inside an admission round, whether a pending task that found no room preempts: first as
 * a task that will be in quota once its victims left (then it may reclaim borrowed GPUs of any
 * tenant and take lower-priority work of its own project), else as a task that will borrow (then
 * only strictly lower-priority borrowing tasks). Whether it is in quota is decided by the quota
 * chain with the victims removed, so no preemption pushes anyone below a guarantee and no pair of
 * tasks can keep preempting each other.
 */
final class Preemption {

  static final String IN_QUOTA = "in_quota";
  static final String BORROWING = "borrowing";

  private final AdmissionRepository admission;
  private final VictimRepository victims = new VictimRepository();

  Preemption(AdmissionRepository admission) {
    this.admission = admission;
  }

  /**
   * Preempts for the task if it may and something frees enough, returning its wait while the
   * victims leave ({@code preempting-victims}); else the task's does-not-fit wait, which says in
   * {@code preemption} why preempting did not help ({@code cannot-free}, {@code never} for a class
   * that never preempts).
   */
  Wait preempt(Connection c, TaskRow task, Wait doesNotFit) throws SQLException {
    if (!victims.mayPreempt(c, task.priorityClass())) {
      return with(doesNotFit, "never");
    }
    int outstanding = victims.outstanding(c, task.id());
    if (outstanding > 0) {
      return new Wait("preempting-victims", Map.of("outstanding", outstanding));
    }
    for (String mode : List.of(IN_QUOTA, BORROWING)) {
      Plan plan = victims.plan(c, task.id(), mode);
      if (plan.victims().isEmpty()) {
        continue;
      }
      QuotaCheck.Outcome after =
          QuotaCheck.of(admission.quotaLevels(c, task, plan.ids()), task.gpus());
      if (mode.equals(IN_QUOTA) ? !after.inQuota() : !after.admissible()) {
        continue;
      }
      victims.apply(c, task.id(), mode, plan);
      admission.promote(c, task.pool()); // its victims are leaving: room for their tenants' others
      return waitFor(plan, mode);
    }
    return with(doesNotFit, "cannot-free");
  }

  private static Wait with(Wait wait, String preemption) {
    Map<String, Object> numbers = new LinkedHashMap<>(wait.numbers());
    numbers.put("preemption", preemption);
    return new Wait(wait.reason(), numbers);
  }

  private static Wait waitFor(Plan plan, String mode) {
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put(
        "nodes",
        plan.victims().stream()
            .flatMap(v -> v.freedOn().stream())
            .map(Freed::nodeName)
            .distinct()
            .toList());
    numbers.put("victims", plan.victims().stream().map(Victim::taskId).toList());
    numbers.put("rules", plan.victims().stream().map(Victim::rule).distinct().toList());
    numbers.put(
        "gpusFreed",
        plan.victims().stream().flatMap(v -> v.freedOn().stream()).mapToInt(Freed::gpus).sum());
    numbers.put("quotaMode", mode);
    numbers.put("candidates", plan.candidates());
    return new Wait("preempting-victims", numbers);
  }
}
