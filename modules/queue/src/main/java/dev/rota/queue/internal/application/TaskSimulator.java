package dev.rota.queue.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.PreemptionRecords;
import dev.rota.queue.internal.persistence.PreemptionRecords.NodeShare;
import dev.rota.queue.internal.persistence.PreemptionRecords.VictimRecord;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.tenancy.Authorization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What-if: what submitting a task would do now. The real submit (same checks, same authorization)
 * and the real admission round of its pool up to the task's own decision run in one transaction
 * that is then rolled back, so the answer comes from the same code and SQL as the real thing and
 * nothing of it stays: no task, event, preemption, outbox row or NOTIFY. Only the sequence values
 * drawn stay drawn (PostgreSQL never rolls them back), and no metric is counted.
 */
@ApplicationScoped
public class TaskSimulator {

  private final TaskRepository tasks = new TaskRepository();
  private final PreemptionRecords records = new PreemptionRecords();

  @Inject Transactions transactions;
  @Inject TaskService submissions;
  @Inject AdmissionService admission;
  @Inject Authorization authorization;
  Clock clock = Clock.systemUTC();

  public TaskSimulator() {}

  /** For tests and tools outside the container. */
  public TaskSimulator(
      Transactions transactions,
      TaskService submissions,
      AdmissionService admission,
      Authorization authorization,
      Clock clock) {
    this.transactions = transactions;
    this.submissions = submissions;
    this.admission = admission;
    this.authorization = authorization;
    this.clock = clock;
  }

  /**
   * What would happen to the task if submitted now.
   *
   * @param outcome {@code admitted} (then {@code nodes} and {@code quotaMode}), {@code preempting}
   *     (then {@code victims}, and {@code quotaMode} is the one it will have once they left) or
   *     {@code waiting} (then {@code waitReason} and {@code waitDetail}); {@code waiting} with no
   *     reason means the round ended before reaching it (the pool was full or the round's decisions
   *     were used up by the tasks ahead)
   */
  public record Simulation(
      Instant at,
      TaskRow task,
      String outcome,
      String quotaMode,
      List<NodeShare> nodes,
      List<VictimRecord> victims) {}

  public Simulation simulate(Caller caller, Submission submission) {
    Instant at = clock.instant();
    return transactions.rehearse(
        caller.name(),
        c -> {
          TaskRow submitted = submissions.submit(c, caller, submission);
          admission.decideUpTo(c, submitted, at);
          TaskRow task = tasks.find(c, submitted.id()).orElseThrow();
          if (!task.state().equals("pending")) {
            return new Simulation(
                at,
                task,
                "admitted",
                task.quotaMode(),
                records.placement(c, task.id()).nodes(),
                List.of());
          }
          List<VictimRecord> victims =
              "preempting-victims".equals(task.waitReason())
                  ? records.victims(c, task.id(), authorization.visibility(c, caller))
                  : List.of();
          if (victims.isEmpty()) {
            return new Simulation(at, task, "waiting", null, List.of(), List.of());
          }
          return new Simulation(
              at, task, "preempting", victims.get(0).preemptorMode(), List.of(), victims);
        });
  }
}
