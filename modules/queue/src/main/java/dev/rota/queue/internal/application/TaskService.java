package dev.rota.queue.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.queue.QueueException.TaskCannotRun;
import dev.rota.queue.QueueException.TaskNotFound;
import dev.rota.queue.QueueException.TaskStateConflict;
import dev.rota.queue.QueueException.VolumeNotAttached;
import dev.rota.queue.internal.persistence.PoolCapacity;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Event;
import dev.rota.queue.internal.persistence.TaskRepository.Mount;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.storage.TaskVolumes;
import dev.rota.storage.TaskVolumes.AttachedVolume;
import dev.rota.storage.TaskVolumes.Lookup;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tasks as their submitters see them: submitted by members of a project or subproject, read by
 * whoever sees the node, cancelled by their submitter (a member) or an administrator of the node.
 * Admission happens later, in {@link AdmissionService}.
 */
@ApplicationScoped
public class TaskService {

  private final TaskRepository tasks = new TaskRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject TaskVolumes volumes;

  public TaskService() {}

  /** For tests and tools outside the container that submit no volumes. */
  public TaskService(Transactions transactions, Authorization authorization) {
    this(transactions, authorization, null);
  }

  /** For tests and tools outside the container. */
  public TaskService(Transactions transactions, Authorization authorization, TaskVolumes volumes) {
    this.transactions = transactions;
    this.authorization = authorization;
    this.volumes = volumes;
  }

  /**
   * Submits a task, refusing what could never run: an unknown pool or class, a replica larger than
   * any node of the pool, more replicas than the pool's nodes hold when empty, volumes not attached
   * at the task's node or of another pool or with no node in common (the task then runs only on the
   * nodes all its volumes live on, and the capacity checks count only those). A repeated
   * Idempotency-Key returns the task it made the first time.
   */
  public TaskRow submit(Caller caller, Submission submission) {
    return transactions.write(caller.name(), c -> submit(c, caller, submission));
  }

  /** Submit's checks and insert in the caller's transaction (simulate rehearses it there). */
  public TaskRow submit(Connection c, Caller caller, Submission submission) throws SQLException {
    authorization.require(c, caller, submission.nodeId(), Role.MEMBER, "submit tasks here");
    List<String> nodeNames = volumeNodes(c, submission);
    requireRunnable(c, submission, nodeNames);
    long id =
        tasks
            .submit(c, submission, nodeNames)
            .orElseThrow(
                () ->
                    new TaskCannotRun(
                        submission.priorityClass() == null
                            ? "The cluster has no default PriorityClass; name one."
                            : "There is no PriorityClass "
                                + submission.priorityClass()
                                + " in the cluster."));
    return tasks.find(c, id).orElseThrow();
  }

  public TaskRow get(Caller caller, long id) {
    return transactions.read(c -> visible(c, caller, id));
  }

  public List<Event> events(Caller caller, long id) {
    return transactions.read(
        c -> {
          visible(c, caller, id);
          return tasks.events(c, id);
        });
  }

  /** Cancels the task and frees its GPUs: its submitter as a member, or an administrator. */
  public TaskRow cancel(Caller caller, long id) {
    return transactions.write(
        caller.name(),
        c -> {
          TaskRow task = visible(c, caller, id);
          Role needed = task.submittedBy().equals(caller.name()) ? Role.MEMBER : Role.ADMIN;
          authorization.require(c, caller, task.nodeId(), needed, "cancel this task");
          TaskRepository.Cancellation outcome =
              tasks.cancel(c, id, "cancelled-by-user").orElseThrow(() -> new TaskNotFound(id));
          if (!outcome.cancelled()) {
            throw new TaskStateConflict(id, outcome.stateBefore(), "be cancelled");
          }
          return tasks.find(c, id).orElseThrow();
        });
  }

  /**
   * The nodes every volume of the task lives on, asked of storage in this transaction (which keeps
   * the attachments as read until it commits); null when the task mounts no volume.
   */
  private List<String> volumeNodes(Connection c, Submission s) {
    if (s.volumes().isEmpty()) {
      return null;
    }
    if (volumes == null) {
      throw new IllegalStateException("This TaskService was made without storage's TaskVolumes");
    }
    List<Long> ids = s.volumes().stream().map(Mount::volumeId).toList();
    Lookup lookup = volumes.attachedAt(c, s.nodeId(), ids);
    if (!lookup.notAttached().isEmpty()) {
      throw new VolumeNotAttached(s.nodeId(), lookup.notAttached());
    }
    Set<String> common = null;
    for (AttachedVolume volume : lookup.attached()) {
      if (!volume.pool().equals(s.pool())) {
        throw new TaskCannotRun(
            "Volume %d lives in pool %s; the task runs in pool %s."
                .formatted(volume.volumeId(), volume.pool(), s.pool()));
      }
      if (common == null) {
        common = new LinkedHashSet<>(volume.nodeNames());
      } else {
        common.retainAll(volume.nodeNames());
      }
    }
    if (common.isEmpty()) {
      throw new TaskCannotRun(
          "Volumes "
              + lookup.attached().stream()
                  .map(v -> v.volumeId() + " (on " + String.join(", ", v.nodeNames()) + ")")
                  .collect(Collectors.joining(", "))
              + " live on no common node; every replica needs all of them on its node.");
    }
    return List.copyOf(common);
  }

  private void requireRunnable(Connection c, Submission s, List<String> nodeNames)
      throws SQLException {
    PoolCapacity pool = tasks.capacity(c, s.pool(), s.gpusPerReplica());
    if (pool.nodes() == 0) {
      throw new TaskCannotRun("There is no GPU pool " + s.pool() + " in the cluster.");
    }
    String where = "pool " + s.pool();
    if (nodeNames != null) {
      pool = tasks.capacity(c, s.pool(), s.gpusPerReplica(), nodeNames);
      where = "pool " + s.pool() + " where the task's volumes live";
      if (pool.nodes() == 0) {
        throw new TaskCannotRun(
            "The task's volumes live on %s, none of which is a GPU node of pool %s."
                .formatted(String.join(", ", nodeNames), s.pool()));
      }
    }
    if (s.gpusPerReplica() > pool.largestNode()) {
      throw new TaskCannotRun(
          "A replica asks for %d GPUs; the largest node of %s has %d."
              .formatted(s.gpusPerReplica(), where, pool.largestNode()));
    }
    if (s.replicas() > pool.replicaSlots()) {
      throw new TaskCannotRun(
          "The nodes of %s hold at most %d replicas of %d GPUs together; the task asks for %d."
              .formatted(where, pool.replicaSlots(), s.gpusPerReplica(), s.replicas()));
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
