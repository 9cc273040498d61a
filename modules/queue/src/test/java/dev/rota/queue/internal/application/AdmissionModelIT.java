package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Random submissions, completions, cancellations and admission rounds, checked after every round
 * against what must always hold: no node over-committed, gangs placed whole or not at all, GPU
 * limits kept at every level of the tree, admissions of a round made in priority-then-age order,
 * and no task left waiting for capacity that it could have had. The seed is printed; a failure
 * names it, and {@code -Drota.model.seed=N} replays it.
 */
class AdmissionModelIT {

  private static final Set<String> DOES_NOT_FIT =
      Set.of("capacity", "gang-does-not-fit", "volume-nodes-full");
  private static final List<String> CLASSES = List.of("rota-low", "rota-normal", "rota-high");

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 500, Duration.ofDays(365));
  private final TaskPodsRepository pods = new TaskPodsRepository();
  private final TaskRepository tasks = new TaskRepository();

  /** A tree level with its total GPU limit (null: none). */
  private record Level(long id, Integer limit, List<Long> projects) {}

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void random_submissions_completions_and_cancellations_never_break_the_queue_rules() {
    long seed = Long.getLong("rota.model.seed", System.nanoTime());
    Random random = new Random(seed);
    String context = "seed " + seed + " (replay with -Drota.model.seed=" + seed + ")";
    System.out.println("AdmissionModelIT " + context);

    Map<String, Integer> nodes = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      int gpus = List.of(2, 4, 8).get(random.nextInt(3));
      nodes.put(queue.node(gpus), gpus);
    }
    List<Level> groups = new ArrayList<>();
    List<Long> projects = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      Integer limit = random.nextBoolean() ? 8 + random.nextInt(12) : null;
      long group = queue.root(Math.min(4, limit == null ? 4 : limit), limit);
      List<Long> children = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        Integer projectLimit = random.nextBoolean() ? 4 + random.nextInt(8) : null;
        long project = queue.child(group, 0, projectLimit);
        children.add(project);
        projects.add(project);
        groups.add(new Level(project, projectLimit, List.of(project)));
      }
      groups.add(new Level(group, limit, children));
    }
    int largest = nodes.values().stream().max(Integer::compare).orElseThrow();

    for (int step = 0; step < 60; step++) {
      for (int s = random.nextInt(6); s > 0; s--) {
        int gpr = 1 + random.nextInt(largest);
        int replicas = 1 + random.nextInt(Math.max(1, 12 / gpr));
        queue.submit(
            projects.get(random.nextInt(projects.size())),
            Math.min(replicas, slotsFor(nodes, gpr)),
            gpr,
            CLASSES.get(random.nextInt(CLASSES.size())));
      }
      for (long id : active(random.nextInt(3))) {
        int attempt = queue.task(id).attempt();
        transactions.write(
            "model",
            c ->
                pods.finish(
                    c, id, attempt, random.nextBoolean() ? "succeeded" : "failed", "model"));
      }
      for (long id : preempting()) { // their Pods are gone, as TaskReconciler would find
        int attempt = queue.task(id).attempt();
        transactions.write("model", c -> pods.requeue(c, id, attempt));
      }
      if (random.nextInt(4) == 0) {
        for (long id : pending(1)) {
          transactions.write("model", c -> tasks.cancel(c, id, "model"));
        }
      }
      long lastEventBefore = lastEventId();

      admission.admit(queue.pool, Instant.now());

      String at = context + ", step " + step;
      checkNodes(nodes, at);
      checkGangs(at);
      checkLimits(groups, at);
      checkOrder(lastEventBefore, at);
      checkNothingThatFitsWaits(nodes, at);
      checkNoTaskPreemptsItsPreemptor(at);
    }
    System.out.println(
        "AdmissionModelIT preemptions: "
            + ids("SELECT p.id FROM queue.preemptions p JOIN queue.tasks t"
                    + " ON t.id = p.preemptor_id WHERE t.pool = ?")
                .size());
  }

  private static int slotsFor(Map<String, Integer> nodes, int gpr) {
    return nodes.values().stream().mapToInt(g -> g / gpr).sum();
  }

  /** Held GPUs are the sum of the placements and never more than the node has. */
  private void checkNodes(Map<String, Integer> nodes, String at) {
    Map<String, int[]> rows =
        query(
            """
            SELECT n.name, n.held_gpus, COALESCE(sum(p.gpus), 0)
              FROM queue.cluster_nodes n LEFT JOIN queue.placements p ON p.node_name = n.name
             WHERE n.pool = ? GROUP BY n.name, n.held_gpus
            """,
            r -> new int[] {r.getInt(2), r.getInt(3)});
    rows.forEach(
        (node, held) -> {
          assertThat(held[0]).as(at + ": held on " + node + " = its placements").isEqualTo(held[1]);
          assertThat(held[0]).as(at + ": held on " + node).isLessThanOrEqualTo(nodes.get(node));
        });
  }

  /** A task that holds GPUs holds all its replicas; one that does not holds none. */
  private void checkGangs(String at) {
    Map<String, int[]> rows =
        query(
            """
            SELECT t.id::text, t.replicas, count(p.replica),
                   (t.state IN ('admitted', 'running', 'preempting'))::int,
                   count(p.replica) FILTER (WHERE p.gpus <> t.gpus_per_replica)
              FROM queue.tasks t LEFT JOIN queue.placements p ON p.task_id = t.id
             WHERE t.pool = ? GROUP BY t.id
            """,
            r -> new int[] {r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5)});
    rows.forEach(
        (task, r) -> {
          assertThat(r[1]).as(at + ": placements of task " + task).isEqualTo(r[2] == 1 ? r[0] : 0);
          assertThat(r[3]).as(at + ": replica sizes of task " + task).isZero();
        });
  }

  /** No level of the tree holds more GPUs in its subtree than its limit. */
  private void checkLimits(List<Level> levels, String at) {
    Map<String, int[]> used =
        query(
            """
            SELECT t.node_id::text, sum(t.replicas * t.gpus_per_replica)::int
              FROM queue.tasks t
             WHERE t.pool = ? AND t.state IN ('admitted', 'running') GROUP BY t.node_id
            """,
            r -> new int[] {r.getInt(2)});
    for (Level level : levels) {
      if (level.limit() == null) {
        continue;
      }
      int sum =
          level.projects().stream()
              .mapToInt(p -> used.getOrDefault(String.valueOf(p), new int[] {0})[0])
              .sum();
      assertThat(sum).as(at + ": GPUs under node " + level.id()).isLessThanOrEqualTo(level.limit());
    }
  }

  /** The admissions of one round were made in priority order, then age. */
  private void checkOrder(long after, String at) {
    List<long[]> admitted = new ArrayList<>();
    transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  """
                  SELECT t.priority, extract(epoch FROM t.queued_at) * 1e6, t.id
                    FROM queue.task_events e JOIN queue.tasks t ON t.id = e.task_id
                   WHERE e.id > ? AND e.to_state = 'admitted' AND t.pool = ?
                   ORDER BY e.id
                  """)) {
            select.setLong(1, after); // 1 the last event before the round
            select.setString(2, queue.pool); // 2 the test's pool
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                admitted.add(new long[] {row.getLong(1), row.getLong(2), row.getLong(3)});
              }
            }
          }
          return null;
        });
    List<long[]> expected = new ArrayList<>(admitted);
    expected.sort(
        Comparator.<long[]>comparingLong(a -> -a[0])
            .thenComparingLong(a -> a[1])
            .thenComparingLong(a -> a[2]));
    assertThat(admitted.stream().map(a -> a[2]).toList())
        .as(at + ": admission order")
        .isEqualTo(expected.stream().map(a -> a[2]).toList());
  }

  /**
   * A task waiting for capacity could not be placed on what is free after the round: free GPUs only
   * shrink during a round, so a task that fits now would have fitted when its turn came.
   */
  private void checkNothingThatFitsWaits(Map<String, Integer> nodes, String at) {
    Map<String, int[]> free =
        query(
            """
            SELECT n.name, n.allocatable_gpus - n.held_gpus - n.foreign_gpus
                   - %s                                  -- kept for preemptors: not free
              FROM queue.cluster_nodes n WHERE n.pool = ?
            """
                .formatted(
                    dev.rota.queue.internal.persistence.VictimRepository.RESERVED_FOR_OTHERS
                        .replace("?", "0")),
            r -> new int[] {r.getInt(2)});
    Map<String, int[]> waiting =
        query(
            """
            SELECT id::text || ':' || COALESCE(wait_reason, ''), replicas, gpus_per_replica
              FROM queue.tasks WHERE pool = ? AND state = 'pending'
            """,
            r -> new int[] {r.getInt(2), r.getInt(3)});
    waiting.forEach(
        (task, shape) -> {
          String reason = task.substring(task.indexOf(':') + 1);
          if (DOES_NOT_FIT.contains(reason)) {
            int slots = free.values().stream().mapToInt(f -> f[0] / shape[1]).sum();
            assertThat(slots)
                .as(at + ": task " + task + " waits for capacity but " + slots + " slots are free")
                .isLessThan(shape[0]);
          }
        });
  }

  private List<Long> active(int limit) {
    return ids(
        "SELECT id FROM queue.tasks WHERE pool = ? AND state IN ('admitted', 'running')"
            + " ORDER BY random() LIMIT "
            + limit);
  }

  /** No task preempted a task that had preempted it (never a ping-pong). */
  private void checkNoTaskPreemptsItsPreemptor(String at) {
    assertThat(
            ids(
                """
                SELECT x.id FROM queue.preemptions x
                  JOIN queue.preemptions y
                    ON y.preemptor_id = x.victim_id AND y.victim_id = x.preemptor_id
                  JOIN queue.tasks t ON t.id = x.preemptor_id
                 WHERE t.pool = ?
                """))
        .as(at + ": preemptions answered by the victim preempting its preemptor")
        .isEmpty();
  }

  private List<Long> preempting() {
    return ids("SELECT id FROM queue.tasks WHERE pool = ? AND state = 'preempting'");
  }

  private List<Long> pending(int limit) {
    return ids(
        "SELECT id FROM queue.tasks WHERE pool = ? AND state = 'pending'"
            + " ORDER BY random() LIMIT "
            + limit);
  }

  private long lastEventId() {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
                  c.prepareStatement("SELECT COALESCE(max(id), 0) FROM queue.task_events");
              ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
          }
        });
  }

  private List<Long> ids(String sql) {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, queue.pool); // 1 the test's pool
            List<Long> ids = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                ids.add(row.getLong(1));
              }
            }
            return ids;
          }
        });
  }

  private interface Columns {
    int[] of(ResultSet row) throws SQLException;
  }

  /** Rows of the test's pool keyed by their first column. */
  private Map<String, int[]> query(String sql, Columns columns) {
    return transactions.read(
        (Connection c) -> {
          try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, queue.pool); // 1 the test's pool
            Map<String, int[]> rows = new HashMap<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                rows.put(row.getString(1), columns.of(row));
              }
            }
            return rows;
          }
        });
  }
}
