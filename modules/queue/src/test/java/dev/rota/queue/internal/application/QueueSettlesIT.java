package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proof that preemption never ping-pongs (issue 12). A few pools, each with its own nodes and
 * its own tenants (groups with guarantees, some with limits, projects that share them), take a
 * random workload shaped to preempt often: five priorities (one that never preempts), gangs, some
 * tasks with a minRuntime, more work submitted than the pools hold. Each step is one outside change
 * per pool in one transaction: the cluster starts what was admitted, an hour passes, some running
 * tasks end, some waiting ones are cancelled, new ones arrive. Then admission rounds run in every
 * pool (each preempted task requeued before the next round, as if its Pods were gone) until a round
 * changes nothing; the queue must get there within a bound, and within that quiet stretch no task
 * may have preempted one that preempted it, directly or through a chain: the preemption graph of
 * the stretch, walked by a recursive CTE over queue.preemptions, has no cycle. The pools share no
 * tenant, node or quota, so each one's stretch is a stretch in which nothing else changed for it.
 *
 * <p>The seed is printed and every choice comes from it (the database draws nothing at random), so
 * {@code -Drota.settle.seed=N} replays a run (without it, each run draws a fresh seed); {@code
 * -Drota.settle.steps=N} runs longer; {@code -Drota.settle.keep} leaves the run's rows in the
 * database, to be read while it is up. A failure names the seed, the lane and the step, and lists
 * the preemptions of the stretch.
 */
class QueueSettlesIT {

  /** Rounds after one outside change before the queue must have settled. */
  private static final int ROUNDS_BOUND = 60;

  /**
   * Steps of a run: with the default, a fresh seed, some 4,200 submissions, 2,800 completions and
   * 350 to 500 preemptions in one to two minutes. Longer runs ({@code -Drota.settle.steps}) are in
   * docs/queue.md ("Settle proof").
   */
  private static final int STEPS = 300;

  /** Threads, each driving pools of its own: the two cores both work. */
  private static final int LANES = 2;

  /** Pools a lane drives side by side: one outside change for them all, then their rounds. */
  private static final int POOLS_PER_LANE = 2;

  /** The test's clock: each step is an hour, which is what minRuntime counts against. */
  private static final Duration STEP = Duration.ofHours(1);

  /**
   * Priority classes of TestQueue for the background work (rota-batch-never with preemptionPolicy
   * Never) and for the work that outranks it; rota-normal is in both.
   */
  private static final List<String> BACKGROUND =
      List.of("rota-low", "rota-batch-never", "rota-normal");

  private static final List<String> URGENT = List.of("rota-normal", "rota-high", "rota-urgent");

  /** rota-high's value: tasks at or above it are the short ones. */
  private static final int URGENT_PRIORITY = 10000;

  private static final String SPEC = "{\"image\":\"busybox\"}";

  /** Admitted tasks the cluster starts: the dispatcher's record, which ending an attempt needs. */
  private static final String DISPATCHED =
      """
      UPDATE queue.tasks SET dispatched_at = now()
       WHERE pool = ? AND state = 'admitted' AND dispatched_at IS NULL   -- 1 pool
      RETURNING id, attempt
      """;

  /**
   * An hour passes for the running tasks: their start moves an hour back (the copy trigger carries
   * it to their placements), so a minRuntime of N hours protects a task for N steps whatever the
   * wall clock does, and a replay decides exactly as the first run did.
   */
  private static final String HOUR_PASSES =
      """
      UPDATE queue.tasks SET started_at = started_at - make_interval(secs => ?) -- 1 the step
       WHERE pool = ? AND state = 'running'                                    -- 2 pool
      """;

  private static final String IN_STATE =
      "SELECT id, attempt, priority FROM queue.tasks WHERE pool = ? AND state = ? ORDER BY id"; // 1, 2

  /**
   * Every unfinished task of the pool with its state, attempt and placements. A finished task never
   * changes again, so leaving them out keeps this as cheap as the live queue is short.
   */
  private static final String FINGERPRINT =
      """
      SELECT COALESCE(string_agg(t.id || ':' || t.state || ':' || t.attempt
                                 || COALESCE('@' || pl.nodes, ''), ',' ORDER BY t.id), '')
        FROM queue.tasks t
        LEFT JOIN LATERAL (SELECT string_agg(p.node_name || '/' || p.gpus, '+' ORDER BY p.replica)
                             AS nodes
                             FROM queue.placements p WHERE p.task_id = t.id) pl ON true
       WHERE t.pool = ?                                                 -- 1 pool
         AND t.state IN ('pending', 'admitted', 'running', 'preempting')
      """;

  /**
   * A task that, through the preemptions recorded after {@code after}, preempted a task that had
   * (through a chain) preempted it: the walk from each preemptor along preemptor → victim edges
   * that comes back to where it started. No row when the graph has no cycle.
   */
  private static final String CYCLES =
      """
      WITH RECURSIVE edges AS (
        SELECT DISTINCT p.preemptor_id AS a, p.victim_id AS b
          FROM queue.preemptions p JOIN queue.tasks t ON t.id = p.preemptor_id
         WHERE p.id > ? AND t.pool = ANY (?)     -- 1 the last before, 2 the pools
      ), walk (start, at, path) AS (
        SELECT a, b, ARRAY[a, b] FROM edges
        UNION ALL
        SELECT w.start, e.b, w.path || e.b
          FROM walk w JOIN edges e ON e.a = w.at
         WHERE w.at <> w.start AND e.b <> ALL (w.path[2:])
      )
      SELECT t.pool || ': ' || array_to_string(w.path, ' -> ')
        FROM walk w JOIN queue.tasks t ON t.id = w.start
       WHERE w.at = w.start
      """;

  /** What a failure shows: each preemption of the stretch with both tasks' keys. */
  private static final String STRETCH =
      """
      SELECT p.id || ' ' || t.pool || ': ' || t.id || ' (node ' || t.node_id || ', prio '
             || t.priority || ', ' || t.replicas || 'x' || t.gpus_per_replica || ', '
             || p.preemptor_mode || ') took ' || v.id || ' (node ' || v.node_id || ', prio '
             || p.victim_priority || ', ' || v.replicas || 'x' || v.gpus_per_replica || ', '
             || p.victim_quota_mode || ') on ' || p.node_name || ' by ' || p.rule
        FROM queue.preemptions p
        JOIN queue.tasks t ON t.id = p.preemptor_id
        JOIN queue.tasks v ON v.id = p.victim_id
       WHERE p.id > ? AND t.pool = ANY (?)     -- 1 the last before, 2 the pools
       ORDER BY p.id DESC
       LIMIT 40
      """;

  /** What a failure shows too: the decisions that still keep GPUs for their pending preemptor. */
  private static final String OPEN =
      """
      SELECT p.id || ' ' || t.id || ' ' || t.state || ':' || t.attempt || ' keeps ' || p.node_name
             || ' (victim ' || p.victim_id || ':' || p.victim_attempt || '), waits '
             || COALESCE(t.wait_reason, '-') || ' ' || COALESCE(t.wait_detail::text, '')
        FROM queue.preemptions p JOIN queue.tasks t ON t.id = p.preemptor_id
       WHERE p.id > ? AND t.pool = ANY (?)     -- 1 0, 2 the pools
         AND p.released_at IS NULL AND t.state = 'pending'
       ORDER BY p.id
      """;

  private static final String LAST_PREEMPTION =
      "SELECT COALESCE(max(id), 0) FROM queue.preemptions"; // every pool: only a bound

  private static final String BY_RULE =
      """
      SELECT p.rule || ' ' || p.preemptor_mode, count(*)
        FROM queue.preemptions p JOIN queue.tasks t ON t.id = p.preemptor_id
       WHERE t.pool = ANY (?)                    -- 1 the pools
       GROUP BY 1 ORDER BY 1
      """;

  /** One pool of the run: its queue (nodes, tenants), its projects and what fits its nodes. */
  private record Pool(TestQueue queue, List<Long> projects, List<Integer> nodeGpus) {
    String name() {
      return queue.pool;
    }

    /**
     * How many nodes have at least {@code gpus}: the most replicas of that size a gang can have.
     */
    int nodesWith(int gpus) {
      return (int) nodeGpus.stream().filter(n -> n >= gpus).count();
    }
  }

  /** What a lane did, and where its time went; added up over the lanes at the end. */
  private static final class Figures {
    int submitted;
    int completed;
    int cancelled;
    int maxRounds;
    int rounds;
    long outsideNanos;
    long admissionNanos;
    long podsGoneNanos;
    long cycleNanos;

    void add(Figures other) {
      submitted += other.submitted;
      completed += other.completed;
      cancelled += other.cancelled;
      maxRounds = Math.max(maxRounds, other.maxRounds);
      rounds += other.rounds;
      outsideNanos += other.outsideNanos;
      admissionNanos += other.admissionNanos;
      podsGoneNanos += other.podsGoneNanos;
      cycleNanos += other.cycleNanos;
    }
  }

  private final List<TestQueue> queues = new CopyOnWriteArrayList<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final TaskPodsRepository pods = new TaskPodsRepository();
  private final TaskRepository tasks = new TaskRepository();

  @AfterEach
  void clean_up() throws SQLException {
    if (Boolean.getBoolean("rota.settle.keep")) {
      return; // -Drota.settle.keep: the run's rows stay, to be read while the database is up
    }
    queues.forEach(TestQueue::close);
    for (Connection connection : connections) {
      connection.close();
    }
  }

  @Test
  void after_every_change_the_queue_settles_and_no_task_preempts_its_preemptor_through_a_chain()
      throws Exception {
    // A fresh seed every run unless one is given: each run explores a new workload, and prints
    // how to replay it.
    long seed =
        Long.getLong("rota.settle.seed", Math.floorMod(System.nanoTime(), 100_000_000_000_000L));
    int steps = Integer.getInteger("rota.settle.steps", STEPS);
    Random random = new Random(seed);
    String context = "seed " + seed + " (replay with -Drota.settle.seed=" + seed + ")";
    System.out.println("QueueSettlesIT " + context);

    // Each lane's pools are built here, in order, from the one seed; then the lanes run at once.
    List<Lane> lanes = new ArrayList<>();
    for (int l = 0; l < LANES; l++) {
      lanes.add(new Lane(l, random));
    }
    String[] names =
        lanes.stream().flatMap(lane -> lane.pools.stream()).map(Pool::name).toArray(String[]::new);
    long started = System.nanoTime();
    ExecutorService threads = Executors.newFixedThreadPool(LANES);
    Figures figures = new Figures();
    try {
      List<Future<Figures>> running = new ArrayList<>();
      for (Lane lane : lanes) {
        running.add(threads.submit(() -> lane.run(steps, context)));
      }
      for (Future<Figures> lane : running) {
        try {
          figures.add(lane.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AssertionError failure) {
            throw failure;
          }
          throw e;
        }
      }
    } finally {
      threads.shutdownNow();
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    Transactions transactions = new Transactions(TestDatabase.get().dataSource());
    Map<String, Long> byRule = transactions.read(c -> byRule(c, names));
    long preemptions = byRule.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "QueueSettlesIT: %d steps in %d pools, %d submissions, %d completions, %d cancellations,"
            + " %d preemptions %s, at most %d rounds to settle, %.1f s%n",
        steps,
        names.length,
        figures.submitted,
        figures.completed,
        figures.cancelled,
        preemptions,
        byRule,
        figures.maxRounds,
        seconds);
    System.out.printf(
        "QueueSettlesIT time, summed over %d lanes: outside changes %.1f s, %d admission rounds"
            + " %.1f s, Pods gone and fingerprints %.1f s, cycle checks %.1f s%n",
        LANES,
        figures.outsideNanos / 1e9,
        figures.rounds,
        figures.admissionNanos / 1e9,
        figures.podsGoneNanos / 1e9,
        figures.cycleNanos / 1e9);
    // The workload is shaped to preempt about three times a step over the pools; fewer than once
    // means it drifted and the proof no longer covers what it claims to.
    assertThat(preemptions)
        .as(context + ": the run exercised preemption")
        .isGreaterThanOrEqualTo((long) steps);
  }

  /**
   * A thread's share of the run: its pools, its own connection (kept, as the server's pool keeps
   * them) and its own random draws, seeded from the run's seed. Lanes share no pool, tenant or
   * node, so they never change anything for each other, and each replays alone.
   */
  private final class Lane {
    final List<Pool> pools = new ArrayList<>();
    final Random random;
    final Transactions transactions;
    final AdmissionService admission;
    final String name;

    Lane(int index, Random seeds) {
      this.random = new Random(seeds.nextLong());
      this.name = "lane " + index;
      for (int p = 0; p < POOLS_PER_LANE; p++) {
        pools.add(pool(random));
      }
      Connection connection = open();
      connections.add(connection);
      this.transactions = TestDatabase.onOneConnection(connection);
      this.admission =
          new AdmissionService(
              transactions, new PoolAvailabilityService(), 500, Duration.ofDays(365));
    }

    Figures run(int steps, String context) {
      Figures figures = new Figures();
      String[] names = pools.stream().map(Pool::name).toArray(String[]::new);
      for (int step = 0; step < steps; step++) {
        String at = context + ", " + name + ", step " + step;
        long t0 = System.nanoTime();
        Map<Pool, String> fingerprints =
            transactions.write("settle", c -> outsideChange(c, pools, random, figures));
        long before = transactions.read(c -> count(c, LAST_PREEMPTION));
        figures.outsideNanos += System.nanoTime() - t0;

        int rounds = settle(this, at, before, fingerprints, figures);
        figures.maxRounds = Math.max(figures.maxRounds, rounds);

        long t1 = System.nanoTime();
        List<String> cycles = transactions.read(c -> cycles(c, before, names));
        figures.cycleNanos += System.nanoTime() - t1;
        if (!cycles.isEmpty()) {
          List<String> stretch = transactions.read(c -> lines(c, STRETCH, before, names));
          throw new AssertionError(
              at
                  + ": a preemption cycle while nothing else changed: "
                  + cycles
                  + "; the preemptions of the stretch, last first:\n"
                  + String.join("\n", stretch));
        }
      }
      return figures;
    }
  }

  /**
   * A pool of 4 or 5 nodes of 4 or 8 GPUs and three groups whose guarantees cover half to all of
   * it, each shared by two projects, some with a limit: tasks run both in quota and borrowing, and
   * a group that comes back reclaims what others borrowed.
   */
  private Pool pool(Random random) {
    TestQueue queue = new TestQueue();
    queues.add(queue);
    List<Integer> nodeGpus = new ArrayList<>();
    for (int n = 4 + random.nextInt(2); n > 0; n--) {
      int gpus = random.nextBoolean() ? 4 : 8;
      queue.node(gpus);
      nodeGpus.add(gpus);
    }
    int total = nodeGpus.stream().mapToInt(Integer::intValue).sum();
    List<Long> projects = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      int guarantee = total / 6 + random.nextInt(total / 6 + 1);
      Integer limit = random.nextInt(3) == 0 ? guarantee + random.nextInt(total) : null;
      long group = queue.root(guarantee, limit);
      int first = random.nextInt(guarantee + 1); // the projects share the group's guarantee
      projects.add(queue.child(group, first, null));
      projects.add(queue.child(group, guarantee - first, null));
    }
    return new Pool(queue, projects, List.copyOf(nodeGpus));
  }

  /**
   * One step's outside change in every pool, in one transaction; returns each pool's fingerprint
   * after it. The draws go pool by pool, task by task in id order, so a seed replays them.
   */
  private Map<Pool, String> outsideChange(
      Connection c, List<Pool> pools, Random random, Figures figures) throws SQLException {
    Map<Pool, String> fingerprints = new LinkedHashMap<>();
    for (Pool pool : pools) {
      // the cluster starts what was admitted (as the dispatcher and the kubelet would)
      for (long[] task : rows(c, DISPATCHED, pool.name(), null)) {
        pods.running(c, task[0], (int) task[1]);
      }
      try (PreparedStatement age = c.prepareStatement(HOUR_PASSES)) {
        age.setLong(1, STEP.toSeconds());
        age.setString(2, pool.name());
        age.executeUpdate();
      }
      for (long[] task : rows(c, IN_STATE, pool.name(), "running")) {
        // the work that outranks the background is short: it ends within a step or two
        if (random.nextInt(task[2] >= URGENT_PRIORITY ? 2 : 6) == 0) {
          String end = random.nextInt(8) == 0 ? "failed" : "succeeded";
          pods.finish(c, task[0], (int) task[1], end, "settle");
          figures.completed++;
        }
      }
      for (long[] task : rows(c, IN_STATE, pool.name(), "pending")) {
        if (random.nextInt(3) == 0) {
          tasks.cancel(c, task[0], "settle");
          figures.cancelled++;
        }
      }
      // background work keeps the pool full; now and then work arrives that outranks it
      for (int s = 1 + random.nextInt(3); s > 0; s--) {
        tasks.submit(c, submission(pool, random, BACKGROUND)).orElseThrow();
        figures.submitted++;
      }
      for (int s = random.nextInt(4); s > 0; s--) {
        tasks.submit(c, submission(pool, random, URGENT)).orElseThrow();
        figures.submitted++;
      }
      fingerprints.put(pool, fingerprint(c, pool));
    }
    return fingerprints;
  }

  /**
   * A task that fits its pool: 1, 2, 4 or 8 GPUs a replica (small ones likelier), a gang of 2 or 3
   * now and then, any of the five classes, and a minRuntime of 1 to 3 hours for one in four.
   */
  private Submission submission(Pool pool, Random random, List<String> classes) {
    int gpusPerReplica = List.of(1, 1, 2, 2, 4, 8).get(random.nextInt(6));
    while (pool.nodesWith(gpusPerReplica) == 0) {
      gpusPerReplica /= 2;
    }
    int replicas = random.nextInt(5) == 0 ? 2 + random.nextInt(2) : 1;
    replicas = Math.min(replicas, pool.nodesWith(gpusPerReplica));
    Duration minRuntime = random.nextInt(4) == 0 ? STEP.multipliedBy(1 + random.nextInt(3)) : null;
    return new Submission(
        pool.projects().get(random.nextInt(pool.projects().size())),
        pool.name(),
        replicas,
        gpusPerReplica,
        classes.get(random.nextInt(classes.size())),
        SPEC,
        minRuntime,
        null,
        "submitter",
        null);
  }

  /**
   * Rounds until one changes nothing in any pool: after each round, the tasks it preempted are
   * requeued as TaskReconciler does once their Pods are gone. A pool that settled gets no more
   * rounds (nothing else changes in it). Returns how many rounds changed something.
   */
  private int settle(
      Lane lane, String at, long before, Map<Pool, String> fingerprints, Figures figures) {
    Transactions transactions = lane.transactions;
    Map<Pool, String> unsettled = new LinkedHashMap<>(fingerprints);
    for (int round = 0; round < ROUNDS_BOUND; round++) {
      long t0 = System.nanoTime();
      for (Pool pool : unsettled.keySet()) {
        lane.admission.admit(pool.name(), Instant.now());
        figures.rounds++;
      }
      long t1 = System.nanoTime();
      figures.admissionNanos += t1 - t0;
      transactions.write(
          "settle",
          c -> {
            for (var it = unsettled.entrySet().iterator(); it.hasNext(); ) {
              var entry = it.next();
              String now = fingerprint(c, entry.getKey());
              if (now.equals(entry.getValue())) {
                it.remove(); // the round changed nothing, so nothing is preempting either
                continue;
              }
              boolean requeued = false;
              for (long[] task : rows(c, IN_STATE, entry.getKey().name(), "preempting")) {
                requeued |= pods.requeue(c, task[0], (int) task[1]);
              }
              entry.setValue(requeued ? fingerprint(c, entry.getKey()) : now);
            }
            return null;
          });
      figures.podsGoneNanos += System.nanoTime() - t1;
      if (unsettled.isEmpty()) {
        return round;
      }
    }
    String[] names = unsettled.keySet().stream().map(Pool::name).toArray(String[]::new);
    List<String> preemptions = transactions.read(c -> lines(c, STRETCH, before, names));
    List<String> open = transactions.read(c -> lines(c, OPEN, 0, names));
    throw new AssertionError(
        at
            + ": the queue of "
            + List.of(names)
            + " did not settle within "
            + ROUNDS_BOUND
            + " rounds; its last states "
            + unsettled.values()
            + "; the preemptions of the stretch, last first:\n"
            + String.join("\n", preemptions)
            + "\nthe open decisions and their preemptors' waits:\n"
            + String.join("\n", open));
  }

  /** The lines of a failure's description for the pools. */
  private static List<String> lines(Connection c, String sql, long after, String[] pools)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setLong(1, after);
      select.setArray(2, c.createArrayOf("text", pools));
      List<String> lines = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          lines.add(row.getString(1));
        }
      }
      return lines;
    }
  }

  private static String fingerprint(Connection c, Pool pool) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(FINGERPRINT)) {
      select.setString(1, pool.name());
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    }
  }

  private static List<String> cycles(Connection c, long after, String[] pools) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(CYCLES)) {
      select.setLong(1, after);
      select.setArray(2, c.createArrayOf("text", pools));
      List<String> cycles = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          cycles.add(row.getString(1));
        }
      }
      return cycles;
    }
  }

  private static Map<String, Long> byRule(Connection c, String[] pools) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(BY_RULE)) {
      select.setArray(1, c.createArrayOf("text", pools));
      Map<String, Long> counts = new LinkedHashMap<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          counts.put(row.getString(1), row.getLong(2));
        }
      }
      return counts;
    }
  }

  /** (id, attempt) of the rows the statement returns for the pool (and the state, if given). */
  private static List<long[]> rows(Connection c, String sql, String pool, String state)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setString(1, pool);
      if (state != null) {
        select.setString(2, state);
      }
      List<long[]> rows = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          rows.add(
              new long[] {row.getLong(1), row.getLong(2), sql == IN_STATE ? row.getLong(3) : 0});
        }
      }
      return rows;
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql);
        ResultSet row = select.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** One connection kept for the whole run, as the server's pool keeps them. */
  private static Connection open() {
    try {
      return TestDatabase.get().dataSource().getConnection();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
