package dev.rota.queue.internal.application;

import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.queue.internal.persistence.TaskPodsRepository.Placement;
import dev.rota.queue.internal.persistence.TaskPodsRepository.PodSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A task's Pods, both ways, as the outbox kind {@value #KIND}. Towards the cluster: the dispatcher
 * creates the Pods of a claimed attempt ({@link #dispatch}); Pods of another attempt, and live Pods
 * of a task that no longer runs, are deleted. Back from the cluster: Pod phases drive the task —
 * every replica running makes it running, every replica succeeded makes it succeeded, one failed
 * replica fails it (reason {@code timeout} when maxRuntime's deadline ended it) and deletes its
 * siblings; its GPUs are freed in the transaction that records the end. Informers on Rota's Pods
 * enqueue the task on every phase change; the full resync covers lost events.
 */
@ApplicationScoped
public class TaskReconciler implements Reconciler {

  public static final String KIND = "queue.task";

  private static final Set<String> ENDED = Set.of("Succeeded", "Failed");

  private final TaskPodsRepository tasks = new TaskPodsRepository();

  @Inject Transactions transactions;
  @Inject KubernetesClient kubernetes;
  @Inject Installation installation;
  @Inject Outbox outbox;
  @Inject GpuQuotaReconciler quota;
  @Inject PriorityClassReconciler classes;
  @Inject QueueMetrics metrics; // null outside the container

  public TaskReconciler() {}

  /** For tests and tools outside the container. */
  public TaskReconciler(
      Transactions transactions,
      KubernetesClient kubernetes,
      Installation installation,
      Outbox outbox,
      GpuQuotaReconciler quota) {
    this.transactions = transactions;
    this.kubernetes = kubernetes;
    this.installation = installation;
    this.outbox = outbox;
    this.quota = quota;
    this.classes = new PriorityClassReconciler(transactions, kubernetes, installation);
  }

  /** Records, in the caller's transaction, that the tasks' Pods must follow a change. */
  void enqueueAll(Connection c, Collection<Long> taskIds) throws SQLException {
    outbox.enqueueAll(c, KIND, taskIds.stream().map(String::valueOf).toList());
  }

  /**
   * Creates the Pods of the attempt, after raising the namespace's GPU quota so that they fit and
   * making sure Rota's copy of the task's PriorityClass exists. Idempotent: a Pod that exists
   * already (an earlier try of this attempt) counts as created.
   *
   * @return false when the task no longer waits for this attempt's Pods (cancelled meanwhile)
   */
  boolean dispatch(long taskId, int attempt) {
    Optional<PodSource> found = transactions.read(c -> tasks.load(c, taskId));
    if (found.isEmpty()
        || !found.get().state().equals("admitted")
        || found.get().attempt() != attempt) {
      return false;
    }
    PodSource task = found.get();
    quota.apply(task.nodeId());
    classes.ensure(task.priorityClass());
    for (Placement placement : task.placements()) {
      Pod pod = TaskPodManifests.pod(task, placement, installation.id());
      try {
        kubernetes.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          classes.forget(task.priorityClass()); // e.g. its class was deleted: check it next time
          throw e;
        }
      }
    }
    return true;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void reconcile(String key) {
    long id = Long.parseLong(key);
    Optional<PodSource> found = transactions.read(c -> tasks.load(c, id));
    List<Pod> pods = podsOf(id);
    if (found.isEmpty()) {
      delete(pods, pod -> true);
      return;
    }
    PodSource task = found.get();
    if (task.state().equals("preempting")) {
      preempted(task, pods);
      return;
    }
    String attempt = String.valueOf(task.attempt());
    boolean runs = task.state().equals("admitted") || task.state().equals("running");
    delete(pods, pod -> !runs || !attempt.equals(label(pod, TaskPodManifests.ATTEMPT)));
    if (runs) {
      observe(task, pods.stream().filter(p -> attempt.equals(label(p, TaskPodManifests.ATTEMPT))));
    }
  }

  /**
   * A preempted task's Pods are deleted (with their grace period); once none is left alive its GPUs
   * are freed and it is pending again, in one conditional transaction. Until then its placements
   * hold the GPUs; the Pods' deletion events enqueue it again.
   */
  private void preempted(PodSource task, List<Pod> pods) {
    delete(pods, pod -> true);
    boolean gone = podsOf(task.id()).stream().allMatch(pod -> ENDED.contains(phase(pod)));
    if (gone) {
      transactions.write(QueueActors.PODS, c -> tasks.requeue(c, task.id(), task.attempt()));
    }
  }

  /** Drives the task from the phases of its current attempt's Pods. */
  private void observe(PodSource task, java.util.stream.Stream<Pod> current) {
    Map<String, Pod> byReplica =
        current.collect(
            Collectors.toMap(p -> label(p, TaskPodManifests.REPLICA), p -> p, (a, b) -> a));
    Optional<Pod> failed =
        byReplica.values().stream().filter(p -> "Failed".equals(phase(p))).findAny();
    boolean complete = byReplica.size() == task.placements().size();
    if (failed.isPresent()) {
      String reason =
          "DeadlineExceeded".equals(failed.get().getStatus().getReason())
              ? "timeout"
              : "pod-failed";
      finish(task, "failed", reason);
    } else if (!complete && task.dispatched()) {
      finish(task, "failed", "pod-lost");
    } else if (complete
        && byReplica.values().stream().allMatch(p -> "Succeeded".equals(phase(p)))) {
      // Every replica ran: a task whose Running phase went unseen (a short run, a slow watch) is
      // recorded as running first, so its history says that it ran.
      if (task.state().equals("admitted")) {
        running(task);
      }
      finish(task, "succeeded", "completed");
    } else if (complete
        && task.state().equals("admitted")
        && byReplica.values().stream()
            .allMatch(p -> "Running".equals(phase(p)) || "Succeeded".equals(phase(p)))) {
      running(task);
    }
  }

  private void running(PodSource task) {
    Optional<Instant> submitted =
        transactions.write(QueueActors.PODS, c -> tasks.running(c, task.id(), task.attempt()));
    if (submitted.isPresent() && metrics != null) {
      metrics.submitToRunning(Duration.between(submitted.get(), Instant.now()));
    }
  }

  /**
   * Ends the attempt, frees its GPUs, and deletes the Pods that still run (the siblings). The
   * namespace's GPU quota follows through the outbox row that V15's trigger writes.
   */
  private void finish(PodSource task, String state, String reason) {
    boolean finished =
        transactions.write(
            QueueActors.PODS, c -> tasks.finish(c, task.id(), task.attempt(), state, reason));
    if (finished) {
      delete(podsOf(task.id()), pod -> true);
    }
  }

  /** Deletes the matching Pods that still run; ended Pods stay for their logs. */
  private void delete(List<Pod> pods, Predicate<Pod> which) {
    pods.stream()
        .filter(which)
        .filter(pod -> !ended(pod))
        .forEach(pod -> kubernetes.resource(pod).delete());
  }

  private List<Pod> podsOf(long taskId) {
    return kubernetes
        .pods()
        .inAnyNamespace()
        .withLabel(Installation.LABEL, installation.id())
        .withLabel(TaskPodManifests.TASK_ID, String.valueOf(taskId))
        .list()
        .getItems();
  }

  /** Tasks that hold GPUs, and the tasks that this installation's live Pods name. */
  @Override
  public Collection<String> resyncKeys() {
    Set<String> keys = new TreeSet<>(transactions.read(tasks::live));
    kubernetes
        .pods()
        .inAnyNamespace()
        .withLabel(Installation.LABEL, installation.id())
        .withLabel(TaskPodManifests.TASK_ID)
        .list()
        .getItems()
        .stream()
        .filter(pod -> !ended(pod))
        .map(pod -> label(pod, TaskPodManifests.TASK_ID))
        .filter(id -> id != null && id.matches("\\d{1,18}"))
        .forEach(keys::add);
    return keys;
  }

  /**
   * Every change of one of Rota's Pods enqueues its task, a change of its phase included (the
   * kubelet writes it to the status): running, ended and failed Pods drive the task at once, not at
   * the next full resync.
   */
  @Override
  public List<Watched<?>> watched() {
    return List.of(
        new Watched<>(
            Pod.class,
            pod ->
                Optional.ofNullable(label(pod, TaskPodManifests.TASK_ID))
                    .filter(id -> id.matches("\\d{1,18}")),
            TaskReconciler::phase));
  }

  private static String label(Pod pod, String name) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(name);
  }

  /** A Pod just created has no status, hence no phase, yet: it has not ended. */
  private static boolean ended(Pod pod) {
    String phase = phase(pod);
    return phase != null && ENDED.contains(phase);
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }
}
