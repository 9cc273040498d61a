package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Caller;
import dev.rota.platform.ProblemException;
import dev.rota.queue.QueueException.InvalidTaskRequest;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Filter;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.application.AuthorizationService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task list against the real database and the real authorization: what a caller sees is the
 * subtrees below their roles, filtered in one statement; pages follow ids downwards.
 */
class TaskQueriesIT {

  private final TestQueue queue = new TestQueue();
  private final Callers callers = new Callers(queue.transactions());
  private final TaskQueries queries =
      new TaskQueries(
          queue.transactions(),
          new AuthorizationService(),
          new PoolAvailabilityService(),
          Clock.systemUTC());

  @AfterEach
  void clean_up() {
    queue.close();
    callers.close();
  }

  private static final Filter ANY = new Filter(null, null, null, null);

  @Test
  void a_caller_sees_the_tasks_of_the_subtrees_below_their_roles_newest_first() {
    queue.node(8);
    long group = queue.root(0, null);
    long mine = queue.child(group, 0, null);
    long sibling = queue.child(group, 0, null);
    long elsewhere = queue.project();
    long first = queue.submit(mine, 1, 1, "rota-normal");
    long second = queue.submit(sibling, 1, 1, "rota-normal");
    queue.submit(elsewhere, 1, 1, "rota-normal");
    Caller groupViewer = callers.bound("viewer", group);
    Caller projectMember = callers.bound("member", mine);

    assertThat(ids(queries.list(groupViewer, ANY, null, 100))).containsExactly(second, first);
    assertThat(ids(queries.list(projectMember, ANY, null, 100))).containsExactly(first);
    assertThat(queries.list(callers.stranger(), ANY, null, 100)).isEmpty();
  }

  @Test
  void a_node_filter_takes_that_nodes_subtree_and_an_unseen_node_answers_as_a_missing_one() {
    queue.node(8);
    long group = queue.root(0, null);
    long mine = queue.child(group, 0, null);
    long sibling = queue.child(group, 0, null);
    long inMine = queue.submit(mine, 1, 1, "rota-normal");
    queue.submit(sibling, 1, 1, "rota-normal");
    Caller admin = Callers.platformAdmin();
    Caller member = callers.bound("member", mine);

    assertThat(ids(queries.list(admin, new Filter(mine, null, null, null), null, 100)))
        .containsExactly(inMine);
    assertThat(ids(queries.list(admin, new Filter(group, queue.pool, null, null), null, 100)))
        .hasSize(2);

    ProblemException unseen =
        catchProblem(() -> queries.list(member, new Filter(sibling, null, null, null), null, 9));
    ProblemException missing =
        catchProblem(() -> queries.list(member, new Filter(-1L, null, null, null), null, 9));
    assertThat(unseen).isInstanceOf(NodeNotFound.class);
    assertThat(missing).isInstanceOf(NodeNotFound.class);
    assertThat(unseen.getMessage().replace(String.valueOf(sibling), "N"))
        .isEqualTo(missing.getMessage().replace("-1", "N"));
  }

  @Test
  void pool_state_and_class_filters_narrow_the_list() {
    queue.node(4);
    long project = queue.project();
    long admitted = queue.submit(project, 1, 4, "rota-high");
    new AdmissionService(
            queue.transactions(), new PoolAvailabilityService(), 200, java.time.Duration.ofDays(1))
        .admit(queue.pool, java.time.Instant.now());
    long low = queue.submit(project, 1, 1, "rota-low");
    long normal = queue.submit(project, 1, 1, "rota-normal");
    Caller viewer = callers.bound("viewer", project);

    assertThat(ids(queries.list(viewer, new Filter(null, queue.pool, "pending", null), null, 9)))
        .containsExactly(normal, low);
    assertThat(ids(queries.list(viewer, new Filter(null, null, "admitted", null), null, 9)))
        .containsExactly(admitted);
    assertThat(ids(queries.list(viewer, new Filter(null, null, null, "rota-low"), null, 9)))
        .containsExactly(low);
    assertThat(queries.list(viewer, new Filter(null, "other-pool", null, null), null, 9)).isEmpty();
  }

  @Test
  void pages_follow_ids_downwards_without_gaps_or_repeats() {
    queue.node(8);
    long project = queue.project();
    List<Long> submitted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      submitted.add(queue.submit(project, 1, 1, "rota-normal"));
    }
    Caller viewer = callers.bound("viewer", project);

    List<Long> seen = new ArrayList<>();
    Long before = null;
    List<Integer> sizes = new ArrayList<>();
    do {
      // limit + 1 rows, as the resource asks, so the extra one tells that a page follows
      List<TaskRow> page = queries.list(viewer, ANY, before, 3);
      List<TaskRow> shown = page.subList(0, Math.min(2, page.size()));
      sizes.add(shown.size());
      shown.forEach(t -> seen.add(t.id()));
      before = page.size() > 2 ? shown.get(shown.size() - 1).id() : null;
    } while (before != null);

    assertThat(sizes).containsExactly(2, 2, 1);
    Collections.reverse(submitted);
    assertThat(seen).containsExactlyElementsOf(submitted);
  }

  @Test
  void an_unknown_state_is_refused_naming_the_states() {
    assertThatThrownBy(
            () ->
                queries.list(
                    Callers.platformAdmin(), new Filter(null, null, "done", null), null, 9))
        .isInstanceOf(InvalidTaskRequest.class)
        .hasMessageContaining("pending, admitted, running");
  }

  private static List<Long> ids(List<TaskRow> tasks) {
    return tasks.stream().map(TaskRow::id).toList();
  }

  private static ProblemException catchProblem(Runnable call) {
    try {
      call.run();
    } catch (ProblemException e) {
      return e;
    }
    throw new AssertionError("no problem was raised");
  }
}
