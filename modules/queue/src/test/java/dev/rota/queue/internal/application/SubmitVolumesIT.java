package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rota.platform.Caller;
import dev.rota.queue.QueueException;
import dev.rota.queue.QueueException.TaskCannotRun;
import dev.rota.queue.QueueException.VolumeNotAttached;
import dev.rota.queue.internal.persistence.TaskRepository.Mount;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.storage.internal.application.TaskVolumesService;
import dev.rota.tenancy.internal.application.AuthorizationService;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Submitting a task that mounts volumes, through the service and storage's API in one transaction:
 * the task keeps the nodes all its volumes live on; a volume not attached at the task's node (or
 * none at all), of another pool, or volumes with no node in common are refused and nothing is made.
 */
class SubmitVolumesIT {

  private static final Caller ADMIN = new Caller("admin", "admin", "test", Set.of(), true);

  private final TestQueue queue = new TestQueue();
  private final TaskService tasks =
      new TaskService(queue.transactions(), new AuthorizationService(), new TaskVolumesService());
  private long group;
  private long project;
  private long party;
  private String n0;
  private String n1;
  private String n2;

  @BeforeEach
  void a_pool_of_three_nodes_and_a_project() {
    n0 = queue.node(8);
    n1 = queue.node(8);
    n2 = queue.node(8);
    group = queue.root(0, null);
    project = queue.child(group, 0, null);
    party = queue.partyOf(group);
  }

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void a_task_mounting_attached_volumes_runs_only_where_all_of_them_live() {
    long data = attached(List.of(n0, n1));
    long models = attached(List.of(n1, n2));

    TaskRow task = tasks.submit(ADMIN, submission(2, mount(data), mount(models)));

    assertThat(queue.specAndNodes(task.id())).endsWith(" {" + n1 + "}");
    AdmissionService admission =
        new AdmissionService(
            queue.transactions(),
            new dev.rota.scheduling.internal.application.PoolAvailabilityService(),
            200,
            java.time.Duration.ofDays(365));
    admission.admit(queue.pool, java.time.Instant.now());
    assertThat(queue.placements(task.id())).containsExactly(n1, n1);
  }

  @Test
  void a_volume_attached_elsewhere_and_one_that_does_not_exist_are_refused_alike() {
    long elsewhere = queue.volume(party, queue.pool, List.of(n0));
    queue.attach(elsewhere, queue.child(group, 0, null));
    long missing = 999_999_999L;

    VolumeNotAttached attachedElsewhere = refusal(VolumeNotAttached.class, mount(elsewhere));
    VolumeNotAttached notAtAll = refusal(VolumeNotAttached.class, mount(missing));

    assertThat(attachedElsewhere.status()).isEqualTo(422);
    assertThat(attachedElsewhere.getMessage()).contains("Volume " + elsewhere + " is not attached");
    // whole numbers only: volume 5 must not turn node 156 into 1V6
    assertThat(attachedElsewhere.getMessage().replaceAll("\\b" + elsewhere + "\\b", "V"))
        .isEqualTo(notAtAll.getMessage().replaceAll("\\b" + missing + "\\b", "V"));
    assertThat(queue.taskCount()).isZero();
  }

  @Test
  void a_volume_of_another_pool_is_refused_and_nothing_is_made() {
    long foreign = queue.volume(party, queue.pool + "x", List.of(n0));
    queue.attach(foreign, project);

    TaskCannotRun refused = refusal(TaskCannotRun.class, mount(foreign));

    assertThat(refused.getMessage())
        .contains("Volume " + foreign + " lives in pool " + queue.pool + "x");
    assertThat(queue.taskCount()).isZero();
  }

  @Test
  void volumes_with_no_node_in_common_are_refused_and_nothing_is_made() {
    long left = attached(List.of(n0));
    long right = attached(List.of(n1, n2));

    TaskCannotRun refused = refusal(TaskCannotRun.class, mount(left), mount(right));

    assertThat(refused.getMessage()).contains("live on no common node", left + " (on " + n0 + ")");
    assertThat(queue.taskCount()).isZero();
  }

  @Test
  void more_replicas_than_the_volumes_nodes_hold_are_refused_with_the_numbers() {
    long data = attached(List.of(n0));

    TaskCannotRun refused = refusal(TaskCannotRun.class, 3, mount(data));

    assertThat(refused.getMessage())
        .contains("where the task's volumes live", "at most 2 replicas of 4 GPUs");
    assertThat(queue.taskCount()).isZero();
  }

  private long attached(List<String> nodes) {
    long volume = queue.volume(party, queue.pool, nodes);
    queue.attach(volume, project);
    return volume;
  }

  private static Mount mount(long volume) {
    return new Mount(volume, "/mnt/v" + volume, false);
  }

  private Submission submission(int replicas, Mount... mounts) {
    return new Submission(
        project,
        queue.pool,
        replicas,
        4,
        null,
        "{\"container\":{\"image\":\"busybox\"},\"volumes\":[]}",
        null,
        null,
        "admin",
        null,
        List.of(mounts));
  }

  private <T extends QueueException> T refusal(Class<T> type, Mount... mounts) {
    return refusal(type, 1, mounts);
  }

  private <T extends QueueException> T refusal(Class<T> type, int replicas, Mount... mounts) {
    return catchThrowableOfType(type, () -> tasks.submit(ADMIN, submission(replicas, mounts)));
  }
}
