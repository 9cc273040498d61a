package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proof that preemption never ping-pongs (issue 12): random tenants with guarantees and limits,
 * random priorities and gangs, random submissions, completions and cancellations. After each such
 * outside change, admission rounds run (each preempted task requeued as soon as its Pods would be
 * gone) until a round changes nothing. The queue must get there within a bound, and within that
 * quiet stretch no task may have preempted one that preempted it, directly or through a chain: the
 * preemption graph of the stretch, walked by a recursive CTE over queue.preemptions, has no cycle.
 * The seed is printed; {@code -Drota.settle.seed=N} replays it, {@code -Drota.settle.steps=N} runs
 * longer.
 */
class QueueSettlesIT {

  /** Rounds after one outside change before the queue must have settled. */
  private static final int ROUNDS_BOUND = 60;

  private static final List<String> CLASSES =
      List.of("rota-low", "rota-normal", "rota-high", "rota-urgent", "rota-batch-never");

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final AdmissionService admission =
      new AdmissionService(transactions, new PoolAvailabilityService(), 500, Duration.ofDays(365));
  private final TaskPodsRepository pods = new TaskPodsRepository();
  private final TaskRepository tasks = new TaskRepository();

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void after_every_change_the_queue_settles_and_no_task_preempts_its_preemptor_through_a_chain() {
    long seed = Long.getLong("rota.settle.seed", System.nanoTime());
    int steps = Integer.getInteger("rota.settle.steps", 100);
    Random random = new Random(seed);
    String context = "seed " + seed + " (replay with -Drota.settle.seed=" + seed + ")";
    System.out.println("QueueSettlesIT " + context);

    int largest = 0;
    int total = 0;
    for (int i = 0; i < 5; i++) {
      int gpus = List.of(4, 8).get(random.nextInt(2));
      queue.node(gpus);
      largest = Math.max(largest, gpus);
      total += gpus;
    }
    // Guarantees cover about half the pool, so tasks run both in quota and borrowing.
    List<Long> projects = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      int guarantee = 2 + random.nextInt(Math.max(1, total / 6));
      Integer limit = random.nextInt(3) == 0 ? guarantee + random.nextInt(total) : null;
      long group = queue.root(guarantee, limit);
      int first = random.nextInt(guarantee + 1); // the children share the group's guarantee
      projects.add(queue.child(group, first, null));
      projects.add(queue.child(group, random.nextInt(guarantee - first + 1), null));
    }

    int submitted = 0;
    int finished = 0;
    int maxRounds = 0;
    for (int step = 0; step < steps; step++) {
      String at = context + ", step " + step;
      // about as many completions as submissions: lower-priority work keeps being admitted, and
      // higher-priority arrivals keep finding it there
      for (int s = random.nextInt(4); s > 0; s--) {
        int gpr = List.of(1, 2, 4, 8).get(random.nextInt(largest == 8 ? 4 : 3));
        int replicas = random.nextInt(5) == 0 ? 2 + random.nextInt(2) : 1;
        queue.submit(
            projects.get(random.nextInt(projects.size())),
            replicas,
            gpr,
            CLASSES.get(random.nextInt(CLASSES.size())));
        submitted++;
      }
      for (long id :
          ids(
              "SELECT id FROM queue.tasks WHERE pool = ? AND state IN ('admitted', 'running')",
              3)) {
        if (random.nextInt(5) < 3) {
          int attempt = queue.task(id).attempt();
          transactions.write("settle", c -> pods.finish(c, id, attempt, "succeeded", "settle"));
          finished++;
        }
      }
      if (random.nextInt(3) == 0) {
        for (long id : ids("SELECT id FROM queue.tasks WHERE pool = ? AND state = 'pending'", 1)) {
          transactions.write("settle", c -> tasks.cancel(c, id, "settle"));
        }
      }

      long before = lastPreemption();
      int rounds = settle(at);
      maxRounds = Math.max(maxRounds, rounds);
      assertThat(cycle(before))
          .as(at + ": a preemption cycle while nothing else changed")
          .isEmpty();
    }
    long preemptions =
        count(
            "SELECT count(*) FROM queue.preemptions p JOIN queue.tasks t"
                + " ON t.id = p.preemptor_id WHERE t.pool = ?");
    System.out.printf(
        "QueueSettlesIT: %d steps, %d submissions, %d completions, %d preemptions, at most %d"
            + " rounds to settle%n",
        steps, submitted, finished, preemptions, maxRounds);
    assertThat(preemptions).as(context + ": the run exercised preemption").isPositive();
  }

  /**
   * Rounds until one changes nothing: before each, the preempted tasks' Pods are gone and they are
   * requeued, as TaskReconciler would find. Returns how many rounds changed something.
   */
  private int settle(String at) {
    String last = fingerprint();
    for (int round = 0; round < ROUNDS_BOUND; round++) {
      for (long id : ids("SELECT id FROM queue.tasks WHERE pool = ? AND state = 'preempting'", 0)) {
        int attempt = queue.task(id).attempt();
        transactions.write("settle", c -> pods.requeue(c, id, attempt));
      }
      admission.admit(queue.pool, Instant.now());
      String now = fingerprint();
      if (now.equals(last)) {
        return round;
      }
      last = now;
    }
    throw new AssertionError(at + ": the queue did not settle within " + ROUNDS_BOUND + " rounds");
  }

  /** Every task of the pool with its state and attempt, and every placement. */
  private String fingerprint() {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  """
                  SELECT (SELECT string_agg(id || ':' || state || ':' || attempt, ',' ORDER BY id)
                            FROM queue.tasks WHERE pool = ?)                    -- 1 the pool
                         || '|' ||
                         COALESCE((SELECT string_agg(p.task_id || '@' || p.node_name, ','
                                                     ORDER BY p.task_id, p.replica)
                                     FROM queue.placements p
                                     JOIN queue.tasks t ON t.id = p.task_id
                                    WHERE t.pool = ?), '')                      -- 2 the pool
                  """)) {
            select.setString(1, queue.pool);
            select.setString(2, queue.pool);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return String.valueOf(row.getString(1));
            }
          }
        });
  }

  /**
   * A task that, through the preemptions recorded after {@code after}, preempted a task that had
   * (through a chain) preempted it: the walk from each preemptor along preemptor → victim edges
   * that comes back to where it started. Empty when the graph has no cycle.
   */
  private List<String> cycle(long after) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  """
                  WITH RECURSIVE edges AS (
                    SELECT DISTINCT p.preemptor_id AS a, p.victim_id AS b
                      FROM queue.preemptions p JOIN queue.tasks t ON t.id = p.preemptor_id
                     WHERE p.id > ? AND t.pool = ?        -- 1 the last before, 2 the pool
                  ), walk (start, at, path) AS (
                    SELECT a, b, ARRAY[a, b] FROM edges
                    UNION ALL
                    SELECT w.start, e.b, w.path || e.b
                      FROM walk w JOIN edges e ON e.a = w.at
                     WHERE w.at <> w.start AND e.b <> ALL (w.path[2:])
                  )
                  SELECT array_to_string(path, ' -> ') FROM walk WHERE at = start
                  """)) {
            select.setLong(1, after);
            select.setString(2, queue.pool);
            List<String> cycles = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                cycles.add(row.getString(1));
              }
            }
            return cycles;
          }
        });
  }

  private long lastPreemption() {
    return count(
        "SELECT COALESCE(max(p.id), 0) FROM queue.preemptions p"
            + " JOIN queue.tasks t ON t.id = p.preemptor_id WHERE t.pool = ?");
  }

  /** Ids of the pool's tasks the query selects; at most {@code limit} at random (0: all). */
  private List<Long> ids(String sql, int limit) {
    String query = limit == 0 ? sql : sql + " ORDER BY random() LIMIT " + limit;
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(query)) {
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

  private long count(String sql) {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, queue.pool); // 1 the test's pool
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }
}
