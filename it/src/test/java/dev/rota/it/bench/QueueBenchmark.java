package dev.rota.it.bench;

import dev.rota.platform.Outbox;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.queue.internal.application.AdmissionService;
import dev.rota.queue.internal.application.AdmissionService.Round;
import dev.rota.queue.internal.application.Dispatcher;
import dev.rota.queue.internal.application.QueueLoop;
import dev.rota.queue.internal.application.TaskReconciler;
import dev.rota.queue.internal.persistence.DispatchRepository;
import dev.rota.queue.internal.persistence.DispatchRepository.Claim;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The queue of issue 11 against the embedded PostgreSQL, through Rota's own classes outside
 * Liberty:
 *
 * <ol>
 *   <li>admission decisions per second, 4 workers over 8 pools, a tenancy tree with quotas and tens
 *       of thousands of pending tasks;
 *   <li>claim then complete through {@link Dispatcher} (no Kubernetes calls) next to the bare SKIP
 *       LOCKED statements over plain JDBC, interleaved in the same run;
 *   <li>submit to admitted latency at idle with a {@link QueueLoop} woken by NOTIFY, and woken only
 *       by its 2 s tick;
 *   <li>the claim with a million finished tasks in history, then while another session holds a
 *       REPEATABLE READ snapshot open, claim latency per 10 s slice; and, as a proposal, the same
 *       under a claim that starts from a cursor the tick rewinds.
 * </ol>
 *
 * A plain {@code main} run by the {@code bench} profile of it/pom.xml; {@code
 * -Drota.bench.history=100000 -Drota.bench.hold-seconds=20} make a quick run.
 */
public final class QueueBenchmark {

  static final double ADMISSION_TARGET = 2_000;
  static final double CLAIM_RATIO_TARGET = 0.60;

  private static final int ADMISSION_POOLS = 8;
  private static final int NODES_PER_POOL = 24;
  private static final int DISPATCH_BATCH = 20;
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final long TICK_MILLIS = 2_000;

  private static final List<String> SUMMARY = new ArrayList<>();

  private final DataSource plain;
  private final Transactions transactions;
  private final TaskReconciler reconciler;
  private final List<Long> projects = new ArrayList<>();
  private final int workers;

  private QueueBenchmark(DataSource plain, int workers) {
    this.plain = plain;
    this.transactions = new Transactions(TestDatabase.perThreadConnections(plain));
    // Only its outbox is used: complete() enqueues the task for the controller loop.
    this.reconciler = new TaskReconciler(transactions, null, null, new Outbox(), null);
    this.workers = workers;
  }

  public static void main(String[] args) throws Exception {
    int pending = Integer.getInteger("rota.bench.pending", 40_000);
    int decisions = Integer.getInteger("rota.bench.decisions", 24_000);
    int claims = Integer.getInteger("rota.bench.claims", 10_000);
    int samples = Integer.getInteger("rota.bench.samples", 250);
    int history = Integer.getInteger("rota.bench.history", 1_000_000);
    int hold = Integer.getInteger("rota.bench.hold-seconds", 120);
    int steady = Integer.getInteger("rota.bench.steady-seconds", 30);
    int feedRate = Integer.getInteger("rota.bench.feed-rate", 400);
    int workers = Integer.getInteger("rota.bench.workers", 4);

    TestDatabase database = TestDatabase.get();
    QueueBenchmark bench = new QueueBenchmark(database.dataSource(), workers);
    try (Connection c = database.dataSource().getConnection()) {
      SchedulingBenchmark.printMachine(c);
    }
    bench.seedWorld();
    bench.admission(pending, decisions);
    bench.claimVersusBare(claims, 3);
    bench.submitToAdmitted(samples);
    bench.claimWithHistory(history, steady, hold, feedRate);

    System.out.println();
    System.out.println("Summary");
    SUMMARY.forEach(line -> System.out.println("  " + line));
    System.out.printf(Locale.ROOT, "  load average at the end: %s%n", loadAverage());
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------
  // The world: priority classes, a tenancy tree with guarantees and limits, GPU nodes in pools.

  private static final String ROOT =
      """
      WITH party AS (INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id)
      INSERT INTO tenancy.nodes (kind, name, label, party_id, guaranteed_gpus, gpu_limit)
      SELECT 'group', ?, ?, id, ?, ? FROM party     -- 1 name, 2 label, 3 guarantee, 4 limit
      RETURNING id
      """;

  private static final String CHILD =
      """
      INSERT INTO tenancy.nodes (kind, parent_id, name, label, guaranteed_gpus, gpu_limit)
      VALUES (?::tenancy.node_kind, ?, ?, ?, ?, ?) -- 1 kind, 2 parent, 3 name, 4 label,
      RETURNING id                                 -- 5 guarantee, 6 limit
      """;

  private static final String NODES =
      """
      INSERT INTO queue.cluster_nodes (name, pool, allocatable_gpus, ready, unschedulable)
      SELECT ? || '-n' || lpad(n::text, 3, '0'), ?, ?, true, false -- 1 prefix, 2 pool, 3 GPUs
        FROM generate_series(1, ?) n                               -- 4 how many
      """;

  /**
   * Four organisations guaranteeing 300 GPUs each (limit 600) of the 1,536 in the admission pools;
   * six projects each guaranteeing 40, half of them limited (120 to 200), two of them with two
   * subprojects guaranteeing 10 (limit 60). So tasks are admitted in quota, then borrowing, then
   * wait on limits or capacity.
   */
  private void seedWorld() {
    long started = System.nanoTime();
    transactions.write(
        "bench",
        c -> {
          SchedulingBenchmark.execute(
              c,
              """
              INSERT INTO queue.priority_classes (name, value, global_default) VALUES
                ('rota-low', 100, false), ('rota-normal', 1000, true), ('rota-high', 10000, false)
              ON CONFLICT (name) DO NOTHING
              """);
          Integer[] projectLimits = {null, 120, null, 160, null, 200};
          for (int org = 0; org < 4; org++) {
            long root = insertRoot(c, "org" + org, 300, 600);
            for (int p = 0; p < projectLimits.length; p++) {
              long project =
                  insertChild(c, "project", root, "o" + org + "p" + p, 40, projectLimits[p]);
              projects.add(project);
              if (p < 2) {
                for (int s = 0; s < 2; s++) {
                  projects.add(
                      insertChild(c, "subproject", project, "o" + org + "p" + p + "s" + s, 10, 60));
                }
              }
            }
          }
          for (int pool = 0; pool < ADMISSION_POOLS; pool++) {
            nodes(c, "a" + pool, NODES_PER_POOL, 8);
          }
          nodes(c, "latency", 8, 64);
          return null;
        });
    System.out.printf(
        Locale.ROOT,
        "%nWorld: 4 organisations, %d projects and subprojects with guarantees and limits; %d"
            + " admission pools of %d nodes x 8 GPUs (%,d GPUs); seeded in %.1f s%n",
        projects.size(),
        ADMISSION_POOLS,
        NODES_PER_POOL,
        ADMISSION_POOLS * NODES_PER_POOL * 8,
        seconds(started));
  }

  private static long insertRoot(Connection c, String name, int guaranteed, Integer limit)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(ROOT)) {
      insert.setString(1, name);
      insert.setString(2, name);
      insert.setInt(3, guaranteed);
      dev.rota.platform.NullableParameters.setInt(insert, 4, limit);
      return single(insert);
    }
  }

  private static long insertChild(
      Connection c, String kind, long parent, String name, int guaranteed, Integer limit)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(CHILD)) {
      insert.setString(1, kind);
      insert.setLong(2, parent);
      insert.setString(3, name);
      insert.setString(4, name);
      insert.setInt(5, guaranteed);
      dev.rota.platform.NullableParameters.setInt(insert, 6, limit);
      return single(insert);
    }
  }

  private static void nodes(Connection c, String pool, int count, int gpus) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(NODES)) {
      insert.setString(1, pool);
      insert.setString(2, pool);
      insert.setInt(3, gpus);
      insert.setInt(4, count);
      insert.executeUpdate();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Admission decisions per second.

  /**
   * Pending tasks over the admission pools and the projects: mostly 1 to 8 GPUs, one in 25 a gang
   * of 2 or 4 replicas of 8; a fifth high, a fifth low priority; queued over the last 50 minutes
   * (under the starvation limit of an hour).
   */
  private static final String PENDING =
      """
      INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica, priority_class, priority,
                               spec, queued_at, submitted_by)
      SELECT (?::bigint[])[1 + floor(random() * ?)::int],    -- 1 projects, 2 how many
             'a' || floor(random() * ?)::int,                  -- 3 pools
             CASE WHEN r.gang < 0.02 THEN 4 WHEN r.gang < 0.04 THEN 2 ELSE 1 END,
             CASE WHEN r.gang < 0.04 THEN 8
                  ELSE (ARRAY[1, 1, 1, 1, 2, 2, 4, 8])[1 + floor(random() * 8)::int] END,
             (ARRAY['rota-high', 'rota-normal', 'rota-normal', 'rota-normal', 'rota-low'])[r.class],
             (ARRAY[10000, 1000, 1000, 1000, 100])[r.class],
             '{"container": {"image": "registry.example/train:1.4", "command": ["python"],
               "args": ["train.py", "--epochs", "10"]}}',
             now() - make_interval(secs => 3000 * random()), 'bench'
        FROM generate_series(1, ?) g,                          -- 4 how many
             LATERAL (SELECT random() + g * 0 AS gang,
                             1 + floor(random() * 5)::int + g * 0 AS class) r
      """;

  private void admission(int pending, int target) throws Exception {
    System.out.printf(Locale.ROOT, "%n1. Admission decisions, %d workers%n", workers);
    long started = System.nanoTime();
    transactions.write(
        "bench",
        c -> {
          SchedulingBenchmark.execute(c, "SELECT setseed(0.11)");
          try (PreparedStatement insert = c.prepareStatement(PENDING)) {
            insert.setArray(1, c.createArrayOf("bigint", projects.toArray()));
            insert.setInt(2, projects.size());
            insert.setInt(3, ADMISSION_POOLS);
            insert.setInt(4, pending);
            insert.executeUpdate();
          }
          return null;
        });
    vacuumAnalyze();
    System.out.printf(
        Locale.ROOT,
        "  %,d pending tasks submitted in %.1f s (triggers on: events, NOTIFY)%n",
        pending,
        seconds(started));

    AdmissionService admission =
        new AdmissionService(
            transactions, new PoolAvailabilityService(), 200, Duration.ofSeconds(3600));
    AtomicLong decided = new AtomicLong();
    AtomicLong admitted = new AtomicLong();
    AtomicLong busy = new AtomicLong();
    AtomicLong rounds = new AtomicLong();
    AtomicLong lastAdmission = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(workers);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int first = w * (ADMISSION_POOLS / workers);
      done.add(
          pool.submit(
              () -> {
                start.await();
                int idlePasses = 0;
                for (int i = first; decided.get() < target && idlePasses < 2; i++) {
                  if ((i - first) % ADMISSION_POOLS == 0) {
                    idlePasses++;
                  }
                  Round round = admission.admit("a" + (i % ADMISSION_POOLS), Instant.now());
                  rounds.incrementAndGet();
                  if (round.busy()) {
                    busy.incrementAndGet();
                    continue;
                  }
                  if (round.admitted() + round.waiting() > 0) {
                    idlePasses = 0;
                  }
                  decided.addAndGet(round.admitted() + round.waiting());
                  if (round.admitted() > 0) {
                    admitted.addAndGet(round.admitted());
                    lastAdmission.set(System.nanoTime());
                  }
                }
                return null;
              }));
    }
    double[] cpuBefore = cpu();
    long t = System.nanoTime();
    for (Future<?> one : done) {
      one.get();
    }
    double elapsed = seconds(t);
    double[] cpuAfter = cpu();
    pool.shutdown();
    double fill = (lastAdmission.get() - t) / 1e9;
    double rate = decided.get() / elapsed;
    System.out.printf(
        Locale.ROOT,
        "  %,d decisions (%,d admitted + %,d recorded waiting) in %,d rounds (%,d found the pool"
            + " busy) in %.1f s%n",
        decided.get(),
        admitted.get(),
        decided.get() - admitted.get(),
        rounds.get(),
        busy.get(),
        elapsed);
    System.out.printf(
        Locale.ROOT,
        "  admitted: %s%n  still pending, by last wait reason: %s%n",
        counts(
            "SELECT quota_mode, count(*) FROM queue.tasks WHERE pool LIKE 'a_'"
                + " AND state = 'admitted' GROUP BY 1 ORDER BY 1"),
        counts(
            "SELECT COALESCE(wait_reason, 'not yet looked at'), count(*) FROM queue.tasks"
                + " WHERE pool LIKE 'a_' AND state = 'pending' GROUP BY 1 ORDER BY 2 DESC"));
    System.out.printf(
        Locale.ROOT,
        "  GPUs held: %s of %,d%n",
        counts("SELECT 'held', sum(held_gpus) FROM queue.cluster_nodes WHERE pool LIKE 'a_'"),
        ADMISSION_POOLS * NODES_PER_POOL * 8);
    String cpuLine = cpuPerOperation(cpuBefore, cpuAfter, decided.get()).formatted("decision");
    System.out.println("  " + cpuLine);
    String verdict = rate >= ADMISSION_TARGET ? "PASS" : "FAIL";
    System.out.printf(
        Locale.ROOT,
        "  decisions: %,.0f/s (target >= %,.0f/s) %s; admitted: %,.0f/s over the run, %,.0f/s"
            + " until the last admission at %.1f s%n",
        rate,
        ADMISSION_TARGET,
        verdict,
        admitted.get() / elapsed,
        fill > 0 ? admitted.get() / fill : 0,
        fill);
    SUMMARY.add(
        String.format(
            Locale.ROOT,
            "admission, %d workers: %,.0f decisions/s (%,.0f admitted/s over the run) — target"
                + " >= %,.0f/s %s; %s",
            workers,
            rate,
            admitted.get() / elapsed,
            ADMISSION_TARGET,
            verdict,
            cpuLine));
    execute("DELETE FROM queue.tasks WHERE pool LIKE 'a_'");
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Claim -> complete: Rota's Dispatcher next to the bare SKIP LOCKED statements.

  private static final String ADMITTED =
      """
      INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica, priority_class, priority,
                               spec, state, quota_mode, admitted_at, submitted_by)
      SELECT ?, ?, 1, 1, 'rota-normal', 1000,                -- 1 node, 2 pool
             '{"container": {"image": "registry.example/train:1.4"}}',
             'admitted', 'in_quota', now() + make_interval(secs => g / 1000.0), 'bench'
        FROM generate_series(1, ?) g                         -- 3 how many
      """;

  /** The textbook queue claim: the same predicate and order as Rota's, nothing else. */
  private static final String BARE_CLAIM =
      """
      UPDATE queue.tasks SET claimed_by = ?, claim_expires_at = now() + interval '30 seconds'
       WHERE id IN (SELECT id FROM queue.tasks                 -- 1 the worker
                     WHERE state = 'admitted' AND dispatched_at IS NULL AND claimed_by IS NULL
                     ORDER BY admitted_at, id
                     LIMIT ?                                  -- 2 batch size
                       FOR UPDATE SKIP LOCKED)
      RETURNING id
      """;

  /** The batch's completion in one statement, as Rota's Dispatcher completes its batches. */
  private static final String BARE_COMPLETE =
      """
      UPDATE queue.tasks SET dispatched_at = now(), claimed_by = NULL, claim_expires_at = NULL
       WHERE id = ANY (?) AND claimed_by = ?                  -- 1 the batch's tasks, 2 the worker
      """;

  private void claimVersusBare(int perRound, int rounds) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%n2. Claim -> complete, %d threads, batches of %d, %,d tasks per round, rounds"
            + " interleaved%n",
        workers,
        DISPATCH_BATCH,
        perRound);
    Dispatcher dispatcher =
        new Dispatcher(transactions, reconciler, LEASE, DISPATCH_BATCH, Duration.ofSeconds(5));
    long project = projects.get(0);
    String[] names = {
      "Rota (Dispatcher.claim + complete):",
      "Rota's statements in Transactions, no outbox:",
      "Rota's two statements alone, autocommit:",
      "bare SKIP LOCKED UPDATE + batch UPDATE:"
    };
    long[] tasks = new long[names.length];
    double[] took = new double[names.length];
    double[][] used = new double[names.length][2];
    for (int round = 1; round <= rounds; round++) {
      for (int who = 0; who < names.length; who++) {
        seedAdmitted(project, "claim", perRound);
        vacuumAnalyze();
        double[] before = cpu();
        long t = System.nanoTime();
        long done =
            switch (who) {
              case 0 -> drainRota(dispatcher);
              case 1 -> drainRotaWithoutOutbox();
              case 2 -> drainRotaStatements();
              default -> drainBare();
            };
        double s = seconds(t);
        double[] after = cpu();
        used[who][0] += after[0] - before[0];
        used[who][1] += after[1] - before[1];
        System.out.printf(
            Locale.ROOT,
            "  round %d %-46s %,6d tasks in %5.2f s = %,6.0f tasks/s%n",
            round,
            names[who],
            done,
            s,
            done / s);
        tasks[who] += done;
        took[who] += s;
      }
    }
    long rotaTasks = tasks[0];
    double rotaSeconds = took[0];
    long bareTasks = tasks[3];
    double bareSeconds = took[3];
    for (int who = 0; who < names.length; who++) {
      System.out.printf(
          Locale.ROOT,
          "  %-46s %s%n",
          names[who],
          cpuPerOperation(new double[2], used[who], tasks[who]).formatted("task"));
    }
    for (int who = 1; who < 3; who++) {
      System.out.printf(
          Locale.ROOT,
          "  %-46s %,6.0f tasks/s = %.1f %% of bare%n",
          names[who],
          tasks[who] / took[who],
          100 * (tasks[who] / took[who]) / (bareTasks / bareSeconds));
    }
    double cpuRota = (used[0][0] + used[0][1]) / tasks[0];
    double cpuBare = (used[3][0] + used[3][1]) / tasks[3];
    System.out.printf(
        Locale.ROOT,
        "  by CPU per task (what the rates would be on cores of their own): Rota at %.1f %% of"
            + " bare%n",
        100 * cpuBare / cpuRota);
    double rota = rotaTasks / rotaSeconds;
    double bare = bareTasks / bareSeconds;
    double ratio = rota / bare;
    String verdict = ratio >= CLAIM_RATIO_TARGET ? "PASS" : "FAIL";
    System.out.printf(
        Locale.ROOT,
        "  Rota %,.0f tasks/s, bare %,.0f tasks/s: Rota at %.1f %% of bare (target >= %.0f %%)"
            + " %s%n",
        rota,
        bare,
        ratio * 100,
        CLAIM_RATIO_TARGET * 100,
        verdict);
    System.out.println(
        "  per task, Rota's completion also records queue.dispatches and enqueues the task in the"
            + " outbox (+ NOTIFY), and every transaction sets its actor and time limits");
    SUMMARY.add(
        String.format(
            Locale.ROOT,
            "claim -> complete, %d threads: Rota %,.0f/s, bare %,.0f/s = %.1f %% — target >= %.0f"
                + " %% %s",
            workers,
            rota,
            bare,
            ratio * 100,
            CLAIM_RATIO_TARGET * 100,
            verdict));
    // Admitted, so they would count against project 0's quota in what follows.
    execute("DELETE FROM queue.tasks WHERE pool = 'claim'");
  }

  private long drainRota(Dispatcher dispatcher) throws Exception {
    return inParallel(
        () -> {
          long done = 0;
          for (List<Claim> batch = dispatcher.claim();
              !batch.isEmpty();
              batch = dispatcher.claim()) {
            done += dispatcher.complete(batch).size();
          }
          return done;
        });
  }

  /**
   * DispatchRepository's claim and completion through {@link Transactions} as the Dispatcher runs
   * them, less the outbox row and NOTIFY that {@link Dispatcher#complete} adds per task.
   */
  private long drainRotaWithoutOutbox() throws Exception {
    DispatchRepository repository = new DispatchRepository();
    String worker = "no-outbox";
    return inParallel(
        () -> {
          long done = 0;
          for (List<Claim> batch = claimIn(repository, worker);
              !batch.isEmpty();
              batch = claimIn(repository, worker)) {
            List<Claim> claimed = batch;
            done +=
                transactions
                    .write("rota:dispatch", c -> repository.complete(c, claimed, worker))
                    .size();
          }
          return done;
        });
  }

  private List<Claim> claimIn(DispatchRepository repository, String worker) {
    return transactions.write(
        "rota:dispatch", c -> repository.claim(c, worker, DISPATCH_BATCH, LEASE, null));
  }

  /**
   * DispatchRepository's claim and completion (the latter also records queue.dispatches) on a
   * connection of the thread's own in autocommit: what the SQL costs without the transaction
   * wrapper (actor, time limits) and without the outbox row and NOTIFY of each completion.
   */
  private long drainRotaStatements() throws Exception {
    AtomicLong names = new AtomicLong();
    DispatchRepository repository = new DispatchRepository();
    return inParallel(
        () -> {
          String worker = "statements-" + names.incrementAndGet();
          long done = 0;
          try (Connection c = plain.getConnection()) {
            for (List<Claim> batch = repository.claim(c, worker, DISPATCH_BATCH, LEASE, null);
                !batch.isEmpty();
                batch = repository.claim(c, worker, DISPATCH_BATCH, LEASE, null)) {
              done += repository.complete(c, batch, worker).size();
            }
          }
          return done;
        });
  }

  private long drainBare() throws Exception {
    AtomicLong names = new AtomicLong();
    return inParallel(
        () -> {
          String worker = "bare-" + names.incrementAndGet();
          long done = 0;
          try (Connection c = plain.getConnection();
              PreparedStatement claim = c.prepareStatement(BARE_CLAIM);
              PreparedStatement complete = c.prepareStatement(BARE_COMPLETE)) {
            claim.setString(1, worker);
            claim.setInt(2, DISPATCH_BATCH);
            complete.setString(2, worker);
            while (true) {
              List<Long> ids = new ArrayList<>();
              try (ResultSet row = claim.executeQuery()) {
                while (row.next()) {
                  ids.add(row.getLong(1));
                }
              }
              if (ids.isEmpty()) {
                return done;
              }
              complete.setArray(1, c.createArrayOf("bigint", ids.toArray()));
              done += complete.executeUpdate();
            }
          }
        });
  }

  private interface Drain {
    long run() throws Exception;
  }

  private long inParallel(Drain drain) throws Exception {
    CyclicBarrier start = new CyclicBarrier(workers);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Future<Long>> done = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      done.add(
          pool.submit(
              () -> {
                start.await();
                return drain.run();
              }));
    }
    long total = 0;
    for (Future<Long> one : done) {
      total += one.get();
    }
    pool.shutdown();
    return total;
  }

  private void seedAdmitted(long node, String pool, int count) {
    transactions.write(
        "bench",
        c -> {
          try (PreparedStatement insert = c.prepareStatement(ADMITTED)) {
            insert.setLong(1, node);
            insert.setString(2, pool);
            insert.setInt(3, count);
            insert.executeUpdate();
          }
          return null;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Submit -> admitted at idle: a QueueLoop woken by NOTIFY, and by its tick only.

  /** Dispatches without Kubernetes: claims and records, as benchmark 2 measures. */
  private static final class DispatcherWithoutPods extends Dispatcher {
    DispatcherWithoutPods(Transactions transactions, TaskReconciler reconciler) {
      super(transactions, reconciler, LEASE, DISPATCH_BATCH, Duration.ofSeconds(5));
    }

    @Override
    public int dispatchAll() {
      int dispatched = 0;
      for (List<Claim> batch = claim(); !batch.isEmpty(); batch = claim()) {
        dispatched += complete(batch).size();
      }
      return dispatched;
    }
  }

  private void submitToAdmitted(int samples) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%n3. Submit -> admitted at idle, a QueueLoop with a %d ms tick, %d samples each%n",
        TICK_MILLIS,
        samples);
    AdmissionService admission =
        new AdmissionService(
            transactions, new PoolAvailabilityService(), 200, Duration.ofSeconds(3600));
    Dispatcher dispatcher = new DispatcherWithoutPods(transactions, reconciler);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    try (QueueLoop loop =
        new QueueLoop(transactions, admission, dispatcher, Executors.defaultThreadFactory())) {
      for (int i = 0; i < 100 && !loop.listening(); i++) {
        Thread.sleep(50);
      }
      // What QueueTimers does on every tick, less the capacity mirror (no cluster here).
      ticker.scheduleAtFixedRate(
          () -> {
            try {
              dispatcher.heartbeat();
              dispatcher.reap();
            } catch (RuntimeException e) {
              e.printStackTrace();
            }
            loop.wake();
          },
          TICK_MILLIS,
          TICK_MILLIS,
          TimeUnit.MILLISECONDS);
      double[] notify = latencies(samples, true, "notify");
      execute("DELETE FROM queue.tasks WHERE pool = 'latency'"); // their GPUs back
      execute("ALTER TABLE queue.tasks DISABLE TRIGGER tasks_wake_on_submit");
      double[] tick;
      try {
        tick = latencies(samples, false, "tick");
      } finally {
        execute("ALTER TABLE queue.tasks ENABLE TRIGGER tasks_wake_on_submit");
      }
      print("  with NOTIFY (trigger tasks_wake_on_submit)", notify);
      print("  without (trigger disabled; the tick wakes the loop)", tick);
      SUMMARY.add(
          String.format(
              Locale.ROOT,
              "submit -> admitted at idle: NOTIFY p50 %.1f ms, p99 %.1f ms; tick only (%d ms)"
                  + " p50 %.0f ms, p99 %.0f ms",
              percentile(notify, 0.5),
              percentile(notify, 0.99),
              TICK_MILLIS,
              percentile(tick, 0.5),
              percentile(tick, 0.99)));
    } finally {
      ticker.shutdownNow();
    }
    execute("DELETE FROM queue.tasks WHERE pool = 'latency'");
  }

  private static final String ADMITTED_KEYS =
      """
      SELECT idempotency_key FROM queue.tasks
       WHERE submitted_by = 'bench-latency' AND idempotency_key = ANY (?)  -- 1 keys waiting
         AND state <> 'pending'
      """;

  /**
   * Submits one task at a time (with NOTIFY: the next after the previous was admitted; without: at
   * random moments, so they land at every phase of the tick) and times each from the call to submit
   * until a session of its own, LISTENing on rota_queue, sees the row admitted.
   */
  private double[] latencies(int samples, boolean sequential, String phase) throws Exception {
    Map<String, Long> waiting = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();
    List<Double> measured = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean watching = new AtomicBoolean(true);
    CountDownLatch listening = new CountDownLatch(1);
    Thread watcher =
        new Thread(
            () -> {
              try (Connection c = plain.getConnection();
                  PreparedStatement select = c.prepareStatement(ADMITTED_KEYS)) {
                SchedulingBenchmark.execute(c, "LISTEN " + QueueLoop.CHANNEL);
                listening.countDown();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (watching.get()) {
                  PGNotification[] got = pg.getNotifications(200);
                  long now = System.nanoTime();
                  if (waiting.isEmpty()) {
                    continue;
                  }
                  select.setArray(1, c.createArrayOf("text", waiting.keySet().toArray()));
                  try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                      String key = row.getString(1);
                      Long t0 = waiting.remove(key);
                      if (t0 != null) {
                        measured.add((now - t0) / 1e6);
                        latches.remove(key).countDown();
                      }
                    }
                  }
                }
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            },
            "bench-watcher");
    watcher.start();
    listening.await();
    TaskRepository tasks = new TaskRepository();
    Random random = new Random(42);
    long project = projects.get(0); // no limit of its own; its organisation's is 600
    for (int i = 0; i < samples; i++) {
      String key = phase + "-" + i;
      CountDownLatch admitted = new CountDownLatch(1);
      latches.put(key, admitted);
      Submission submission =
          new Submission(
              project,
              "latency",
              1,
              1,
              "rota-normal",
              "{\"container\": {\"image\": \"busybox\"}}",
              null,
              null,
              "bench-latency",
              key);
      waiting.put(key, System.nanoTime());
      transactions.write("bench-latency", c -> tasks.submit(c, submission));
      if (sequential) {
        if (!admitted.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("task " + key + " not admitted within 10 s");
        }
        Thread.sleep(20 + random.nextInt(60));
      } else {
        Thread.sleep(random.nextInt(500));
      }
    }
    for (CountDownLatch last : List.copyOf(latches.values())) {
      if (!last.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a task was not admitted within 10 s");
      }
    }
    watching.set(false);
    watcher.join();
    return measured.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static void print(String what, double[] ms) {
    System.out.printf(
        Locale.ROOT,
        "%-56s n=%d  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms%n",
        what,
        ms.length,
        percentile(ms, 0.5),
        percentile(ms, 0.99),
        ms[ms.length - 1]);
  }

  // ---------------------------------------------------------------------------------------------
  // 4. The claim with a long history, and under a long-held snapshot.

  private static final String HISTORY =
      """
      INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica, priority_class, priority,
                               spec, state, quota_mode, queued_at, admitted_at, dispatched_at,
                               started_at, finished_at, submitted_by)
      SELECT (?::bigint[])[1 + g % ?], 'history',            -- 1 projects, 2 how many
             1 + (g % 7 = 0)::int, 1 + g % 8, 'rota-normal', 1000,
             '{"container": {"image": "registry.example/train:1.4", "command": ["python"],
               "args": ["train.py", "--epochs", "10"]}}',
             CASE WHEN g % 20 = 0 THEN 'failed' WHEN g % 20 = 1 THEN 'cancelled'
                  ELSE 'succeeded' END,
             'in_quota', at, at + interval '5 s', at + interval '6 s', at + interval '20 s',
             at + interval '1 hour', 'bench'
        FROM generate_series(1, ?) g,                       -- 3 how many
             LATERAL (SELECT now() - interval '90 days' + g * interval '7 s' AS at) t
      """;

  private void claimWithHistory(int history, int steady, int hold, int feedRate) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%n4. The claim with %,d finished tasks in history; %d workers claim + complete, a feeder"
            + " admits %d tasks/s and finishes dispatched ones%n",
        history,
        workers,
        feedRate);
    long t = System.nanoTime();
    // A plain connection: the load may take longer than the statement timeout of Transactions.
    try (Connection c = plain.getConnection()) {
      c.setAutoCommit(false);
      // The triggers would write 1M events and notifications nobody reads: off for the load.
      SchedulingBenchmark.execute(c, "ALTER TABLE queue.tasks DISABLE TRIGGER USER");
      try (PreparedStatement insert = c.prepareStatement(HISTORY)) {
        insert.setArray(1, c.createArrayOf("bigint", projects.toArray()));
        insert.setInt(2, projects.size());
        insert.setInt(3, history);
        insert.executeUpdate();
      }
      SchedulingBenchmark.execute(
          c,
          """
          INSERT INTO queue.dispatches (task_id, attempt, dispatched_by, dispatched_at)
          SELECT id, attempt, 'dispatch-history', dispatched_at FROM queue.tasks
           WHERE pool = 'history' AND dispatched_at IS NOT NULL
          """);
      SchedulingBenchmark.execute(c, "ALTER TABLE queue.tasks ENABLE TRIGGER USER");
      c.commit();
    }
    vacuumAnalyze();
    System.out.printf(
        Locale.ROOT,
        "  loaded %,d finished tasks and their dispatches in %.1f s (queue.tasks %s, partial index"
            + " tasks_to_dispatch %s)%n",
        history,
        seconds(t),
        scalar("SELECT pg_size_pretty(pg_total_relation_size('queue.tasks'))"),
        scalar("SELECT pg_size_pretty(pg_relation_size('queue.tasks_to_dispatch'))"));

    Dispatcher dispatcher =
        new Dispatcher(transactions, reconciler, LEASE, DISPATCH_BATCH, Duration.ofSeconds(5));
    AtomicLong rewound = new AtomicLong(System.nanoTime());
    Claimer rota =
        () -> {
          long now = System.nanoTime();
          if (now - rewound.get() > TICK_MILLIS * 1_000_000L) {
            rewound.set(now);
            dispatcher.rewind(); // what the queue's tick does
          }
          return dispatcher.claim();
        };
    run(
        "as built: after the last claimed task, rewound every tick",
        rota,
        dispatcher,
        steady,
        hold,
        feedRate);

    Claimer fromHead =
        () -> {
          dispatcher.rewind();
          return dispatcher.claim();
        };
    run(
        "for comparison: every claim from the head of tasks_to_dispatch",
        fromHead,
        dispatcher,
        steady,
        hold,
        feedRate);
  }

  /** One claim call: a batch, possibly empty. */
  private interface Claimer {
    List<Claim> claim();
  }

  /**
   * Workers claim and complete continuously while the feeder admits tasks; after {@code steady}
   * seconds another session opens a REPEATABLE READ transaction, takes an xid and a snapshot and
   * keeps them {@code hold} seconds; then 20 s more. Prints the claim's latency per 10 s slice.
   */
  private void run(
      String variant, Claimer claimer, Dispatcher dispatcher, int steady, int hold, int feedRate)
      throws Exception {
    execute("VACUUM ANALYZE queue.tasks");
    System.out.printf(Locale.ROOT, "  %s:%n", variant);
    System.out.println(
        "    slice    claims  tasks/s   p50 ms   p99 ms   max ms  backlog  dead tuples"
            + "  scan from start  the other session");
    Slices slices = new Slices();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(workers + 2);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      done.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  long t = System.nanoTime();
                  List<Claim> batch = claimer.claim();
                  slices.record((System.nanoTime() - t) / 1e6, batch.size());
                  if (batch.isEmpty()) {
                    Thread.sleep(10); // the real worker waits for a NOTIFY or the tick
                  }
                  dispatcher.complete(batch);
                }
                return null;
              }));
    }
    done.add(pool.submit(() -> feed(running, feedRate)));
    String other = "none";
    Connection holder = null;
    int total = steady + hold + 20;
    long start = System.nanoTime();
    List<double[]> rows = new ArrayList<>();
    try {
      for (int second = 10; second <= total; second += 10) {
        if (holder == null && second - 10 >= steady && second - 10 < steady + hold) {
          holder = plain.getConnection();
          holder.setAutoCommit(false);
          holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
          SchedulingBenchmark.execute(holder, "SELECT txid_current()");
          SchedulingBenchmark.execute(holder, "SELECT count(*) FROM queue.priority_classes");
          other = "holds a snapshot";
        }
        long wait = start + second * 1_000_000_000L - System.nanoTime();
        Thread.sleep(Math.max(0, wait / 1_000_000));
        double[] slice = slices.take();
        System.out.printf(
            Locale.ROOT,
            "    %3d s %9.0f %8.0f %8.2f %8.2f %8.1f %8s %12s  %15s  %s%n",
            second,
            slice[0],
            slice[1] / 10,
            slice[2],
            slice[3],
            slice[4],
            scalar(
                "SELECT count(*) FROM queue.tasks WHERE pool = 'fed' AND state = 'admitted'"
                    + " AND dispatched_at IS NULL"),
            scalar(
                "SELECT n_dead_tup FROM pg_stat_user_tables"
                    + " WHERE relid = 'queue.tasks'::regclass"),
            scanFromStart(),
            other);
        rows.add(new double[] {second, slice[2], slice[3], slice[4], holder != null ? 1 : 0});
        if (holder != null && second >= steady + hold) {
          holder.commit();
          holder.close();
          holder = null;
          other = "ended its transaction";
        }
      }
    } finally {
      running.set(false);
      for (Future<?> one : done) {
        one.get();
      }
      pool.shutdown();
      if (holder != null) {
        holder.close();
      }
    }
    double worstBefore =
        rows.stream().filter(r -> r[0] <= steady).mapToDouble(r -> r[2]).max().orElse(0);
    double worstHeld = rows.stream().filter(r -> r[4] == 1).mapToDouble(r -> r[2]).max().orElse(0);
    double worstMaxHeld =
        rows.stream().filter(r -> r[4] == 1).mapToDouble(r -> r[3]).max().orElse(0);
    double lastHeld =
        rows.stream().filter(r -> r[4] == 1).mapToDouble(r -> r[1]).reduce((a, b) -> b).orElse(0);
    double firstHeld =
        rows.stream().filter(r -> r[4] == 1).mapToDouble(r -> r[1]).findFirst().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "    worst p99 per slice: %.2f ms without the held snapshot, %.2f ms with it (max %.1f"
            + " ms); p50 %.2f ms in the first held slice, %.2f ms in the last%n",
        worstBefore,
        worstHeld,
        worstMaxHeld,
        firstHeld,
        lastHeld);
    SUMMARY.add(
        String.format(
            Locale.ROOT,
            "claim with history, %s: worst p99 per 10 s %.2f ms without a held snapshot, %.2f ms"
                + " (max %.1f ms) while one was held %d s; p50 %.2f -> %.2f ms over the hold",
            variant,
            worstBefore,
            worstHeld,
            worstMaxHeld,
            hold,
            firstHeld,
            lastHeld));
    execute(
        "UPDATE queue.tasks SET state = 'succeeded', finished_at = now() WHERE pool = 'fed'"
            + " AND state = 'admitted'");
  }

  /**
   * What the claim's scan costs when it starts at the beginning of tasks_to_dispatch, as the claim
   * as built always does: shared buffers touched and milliseconds, from EXPLAIN ANALYZE of its
   * SELECT (without FOR UPDATE, so that the measurement locks nothing). The buffers grow with the
   * index entries of claimed tasks that cleanup may not remove yet.
   */
  private String scanFromStart() throws SQLException {
    String plan =
        scalar(
            """
            EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
            SELECT id FROM queue.tasks
             WHERE state = 'admitted' AND dispatched_at IS NULL AND claimed_by IS NULL
               AND (dispatch_after IS NULL OR dispatch_after <= now())
             ORDER BY admitted_at, id
             LIMIT 20
            """);
    java.util.regex.Matcher hit =
        java.util.regex.Pattern.compile("\"Shared Hit Blocks\": (\\d+)").matcher(plan);
    java.util.regex.Matcher read =
        java.util.regex.Pattern.compile("\"Shared Read Blocks\": (\\d+)").matcher(plan);
    java.util.regex.Matcher time =
        java.util.regex.Pattern.compile("\"Execution Time\": ([0-9.]+)").matcher(plan);
    long buffers =
        (hit.find() ? Long.parseLong(hit.group(1)) : 0)
            + (read.find() ? Long.parseLong(read.group(1)) : 0);
    double ms = time.find() ? Double.parseDouble(time.group(1)) : 0;
    return String.format(Locale.ROOT, "%,d buf %.1f ms", buffers, ms);
  }

  /**
   * Admits {@code rate} tasks per second (as rows, in tenths of a second) and finishes those that
   * were dispatched, as the Pods' phases would: the history keeps growing while it runs.
   */
  private Void feed(AtomicBoolean running, int rate) throws Exception {
    long project = projects.get(1);
    try (Connection c = plain.getConnection();
        PreparedStatement admit = c.prepareStatement(ADMITTED);
        PreparedStatement finish =
            c.prepareStatement(
                """
                UPDATE queue.tasks SET state = 'succeeded', started_at = dispatched_at,
                                       finished_at = now()
                 WHERE id IN (SELECT id FROM queue.tasks
                               WHERE node_id = ? AND pool = 'fed'   -- 1 the feeder's project
                                 AND state = 'admitted' AND dispatched_at IS NOT NULL
                               LIMIT 1000)
                """)) {
      admit.setLong(1, project);
      admit.setString(2, "fed");
      admit.setInt(3, rate / 10);
      finish.setLong(1, project);
      long next = System.nanoTime();
      while (running.get()) {
        admit.executeUpdate();
        finish.executeUpdate();
        next += 100_000_000L;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000);
        }
      }
    }
    return null;
  }

  /** Claim latencies of the current 10 s slice. */
  private static final class Slices {
    private List<Double> latencies = new ArrayList<>();
    private long tasks;

    synchronized void record(double ms, int claimed) {
      latencies.add(ms);
      tasks += claimed;
    }

    /** Claims, tasks, p50, p99, max of the slice; starts the next. */
    synchronized double[] take() {
      double[] ms = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] slice = {
        ms.length,
        tasks,
        percentile(ms, 0.5),
        percentile(ms, 0.99),
        ms.length == 0 ? 0 : ms[ms.length - 1]
      };
      latencies = new ArrayList<>();
      tasks = 0;
      return slice;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void vacuumAnalyze() throws SQLException {
    execute("VACUUM ANALYZE queue.tasks");
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = plain.getConnection()) {
      SchedulingBenchmark.execute(c, sql);
    }
  }

  private String scalar(String sql) throws SQLException {
    try (Connection c = plain.getConnection()) {
      return SchedulingBenchmark.scalar(c, sql);
    }
  }

  private String counts(String sql) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = plain.getConnection();
        PreparedStatement select = c.prepareStatement(sql);
        ResultSet row = select.executeQuery()) {
      while (row.next()) {
        counts.put(row.getString(1), row.getLong(2));
      }
    }
    return counts.toString();
  }

  private static long single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static String loadAverage() throws Exception {
    Path loadavg = Path.of("/proc/loadavg");
    return Files.isReadable(loadavg)
        ? String.join(" ", Arrays.asList(Files.readString(loadavg).split(" ")).subList(0, 3))
        : "?";
  }

  /**
   * CPU seconds used so far by this JVM and by the PostgreSQL server (postmaster and every live
   * backend, from /proc): on a machine that other work shares, CPU per operation says what the
   * figures would be with the cores to itself, wall-clock rates do not.
   */
  private double[] cpu() throws Exception {
    double jvm =
        ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    if (postmaster == 0) {
      try (Connection c = plain.getConnection()) { // its backend's parent, while it lives
        postmaster =
            (long)
                stat(Long.parseLong(SchedulingBenchmark.scalar(c, "SELECT pg_backend_pid()")))[0];
      }
    }
    double database = 0;
    try (var processes = Files.list(Path.of("/proc"))) {
      for (Path dir : processes.toList()) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        double[] stat = stat(Long.parseLong(name));
        if (stat != null && Long.parseLong(name) == postmaster) {
          database += stat[1] + stat[2]; // with the backends that ended, which it reaped
        } else if (stat != null && stat[0] == postmaster) {
          database += stat[1];
        }
      }
    }
    return new double[] {jvm, database};
  }

  private long postmaster;

  /**
   * Parent pid, user + system CPU seconds of a process, and those of its children that ended, or
   * null when it is gone.
   */
  private static double[] stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new double[] {
        Double.parseDouble(f[1]),
        (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0,
        (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0
      };
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** "CPU: x s (JVM a s, PostgreSQL b s) = c ms per op, about d ops/s on 2 cores of its own". */
  private static String cpuPerOperation(double[] before, double[] after, long operations) {
    double jvm = after[0] - before[0];
    double database = after[1] - before[1];
    double perOperation = (jvm + database) / operations;
    return String.format(
        Locale.ROOT,
        "CPU %.1f s (JVM %.1f s, PostgreSQL %.1f s) = %.2f ms per %s; at %d cores of its own"
            + " about %,.0f/s",
        jvm + database,
        jvm,
        database,
        perOperation * 1000,
        "%s",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().availableProcessors() / perOperation);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
