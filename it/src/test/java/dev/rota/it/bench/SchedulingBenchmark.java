package dev.rota.it.bench;

import dev.rota.platform.testing.TestDatabase;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.PoolAvailability.PoolStatus;
import dev.rota.scheduling.PoolAvailability.State;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures the weekly windows at scale in the real schema: 100,000 windows over 1,000 pool
 * calendars (about 1 % wrapping the week's end) inserted one by one, each in its own transaction as
 * the application books them, into scheduling.windows (exclusion constraint windows_no_overlap)
 * and, interleaved in the same run, into a copy with the same columns, checks, keys and foreign
 * keys but no exclusion constraint (and without the advisory lock the application takes before
 * inserting into the constrained table); then times the queue's question "who holds pool P at T"
 * ({@link PoolAvailability#check}) and checks every answer against a java.time model. Also loads
 * both tables once more in JDBC batches, where the constraint's own cost is not hidden behind
 * commits. Prints PASS/FAIL for the target (constrained inserts at least 60 % of the rate of
 * unconstrained ones). A plain {@code main}; {@code -Drota.bench.windows=N} changes the size. Exits
 * non-zero only when an answer is wrong.
 */
public final class SchedulingBenchmark {

  static final double RATIO_TARGET = 0.60;
  static final int WEEK = 604_800;
  static final int CALENDARS = 1000;
  static final int ROUNDS = 10;
  static final int QUERIES = 20_000;
  static final List<String> ZONES =
      List.of("Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Sydney");

  /**
   * The copy: scheduling.windows without windows_no_overlap and without its trigger, so without the
   * held range the trigger computes from a weekly window's first occurrence (V11): the copy shows
   * what the rule costs, the trigger's work included.
   */
  static final String COPY =
      """
      CREATE TABLE scheduling.windows_unconstrained
        (LIKE scheduling.windows INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY);
      ALTER TABLE scheduling.windows_unconstrained
        ALTER COLUMN held DROP NOT NULL,
        ADD PRIMARY KEY (id),
        ADD FOREIGN KEY (calendar_id) REFERENCES scheduling.calendars (id) ON DELETE CASCADE,
        ADD FOREIGN KEY (owner_node_id) REFERENCES tenancy.nodes (id) ON DELETE CASCADE;
      CREATE INDEX ON scheduling.windows_unconstrained (calendar_id);
      CREATE INDEX ON scheduling.windows_unconstrained (owner_node_id);
      """;

  /**
   * WindowRepository's insert of a weekly window: the calendar's turn (an advisory lock that keeps
   * racing writers of one calendar from deadlocking in the exclusion check), then the row.
   */
  static final String INSERT_CONSTRAINED =
      """
      WITH turn AS (SELECT pg_advisory_xact_lock(hashtextextended('scheduling.calendar:' || ?, 0)))
                                                              -- 1 calendar
      INSERT INTO scheduling.windows AS w
             (calendar_id, kind, owner_node_id, label, start_second, end_second, effective)
      SELECT ?, ?::scheduling.window_kind, ?, ?, ?, ?,        -- 2 calendar, 3 kind, 4 owner,
                                                              -- 5 label, 6 start, 7 end
             tstzrange(COALESCE(?, date_trunc('second', now())), NULL) -- 8 in effect from
        FROM turn
      RETURNING w.id
      """;

  /** The same row into the copy, which needs no turn: it has nothing to wait for. */
  static final String INSERT_PLAIN =
      """
      INSERT INTO scheduling.windows_unconstrained AS w
             (calendar_id, kind, owner_node_id, label, start_second, end_second, effective)
      VALUES (?, ?::scheduling.window_kind, ?, ?, ?, ?,       -- 1 calendar, 2 kind, 3 owner,
                                                              -- 4 label, 5 start, 6 end
              tstzrange(COALESCE(?, date_trunc('second', now())), NULL)) -- 7 in effect from
      RETURNING w.id
      """;

  private SchedulingBenchmark() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    int total = Integer.getInteger("rota.bench.windows", 100_000);
    System.out.printf(
        Locale.ROOT,
        "Scheduling benchmark: %,d weekly windows over %,d pool calendars%n%n",
        total,
        CALENDARS);
    try (Connection c = TestDatabase.get().dataSource().getConnection()) {
      printMachine(c);
      Fixture fixture = Fixture.create(c, total, new Random(20_261_125L));
      execute(c, COPY);
      double[] batched = batchedLoads(c, fixture);
      execute(c, "TRUNCATE scheduling.windows, scheduling.windows_unconstrained");
      double[] single = singleRowLoads(c, fixture);
      fixture.verifyLoaded(c);
      execute(c, "ANALYZE scheduling.windows; ANALYZE scheduling.calendars");
      Stats check = freeAtT(c, fixture);
      report(total, single, batched, check);
      printPlan(c);
    }
    System.out.printf(Locale.ROOT, "%nWhole run: %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  /**
   * The application's way: one INSERT per window, each its own transaction, same windows in the
   * same shuffled order into both tables; the tables take turns chunk by chunk (ABBA) so that drift
   * touches both alike. Returns rows/s with and without the constraint.
   */
  static double[] singleRowLoads(Connection c, Fixture fixture) throws SQLException {
    System.out.printf(
        Locale.ROOT, "%nOne INSERT per transaction (autocommit), %d rounds%n", ROUNDS);
    return load(c, fixture, 1);
  }

  /** The same rows in JDBC batches of 1,000 per transaction: the constraint's cost laid bare. */
  static double[] batchedLoads(Connection c, Fixture fixture) throws SQLException {
    System.out.printf(
        Locale.ROOT, "%nJDBC batches of 1,000 rows per transaction, %d rounds%n", ROUNDS);
    return load(c, fixture, 1000);
  }

  private static double[] load(Connection c, Fixture fixture, int batch) throws SQLException {
    long[] nanos = new long[2];
    int loaded = 0;
    String returning = batch == 1 ? "RETURNING w.id" : "";
    try (PreparedStatement constrained =
            c.prepareStatement(INSERT_CONSTRAINED.replace("RETURNING w.id", returning));
        PreparedStatement plain =
            c.prepareStatement(INSERT_PLAIN.replace("RETURNING w.id", returning))) {
      int chunk = (fixture.rows().size() + ROUNDS - 1) / ROUNDS;
      for (int round = 0; round < ROUNDS; round++) {
        List<Row> rows =
            fixture
                .rows()
                .subList(round * chunk, Math.min(fixture.rows().size(), (round + 1) * chunk));
        for (int turn = 0; turn < 2; turn++) {
          boolean isConstrained = (turn == 0) == (round % 2 == 0);
          PreparedStatement insert = isConstrained ? constrained : plain;
          long start = System.nanoTime();
          if (batch == 1) {
            c.setAutoCommit(true);
            for (Row row : rows) {
              row.bind(insert, isConstrained);
              try (ResultSet id = insert.executeQuery()) {
                id.next();
              }
            }
          } else {
            c.setAutoCommit(false);
            for (int i = 0; i < rows.size(); i++) {
              rows.get(i).bind(insert, isConstrained);
              insert.addBatch();
              if ((i + 1) % batch == 0 || i == rows.size() - 1) {
                insert.executeBatch();
                c.commit();
              }
            }
            c.setAutoCommit(true);
          }
          nanos[isConstrained ? 0 : 1] += System.nanoTime() - start;
        }
        loaded += rows.size();
        System.out.printf(
            Locale.ROOT,
            "  round %2d: %,7d rows into each table, cumulative %,.0f rows/s with the constraint,"
                + " %,.0f without%n",
            round + 1,
            rows.size(),
            rate(loaded, nanos[0]),
            rate(loaded, nanos[1]));
      }
    }
    return new double[] {rate(loaded, nanos[0]), rate(loaded, nanos[1])};
  }

  /**
   * The queue's question at random instants of 2027 for random pools, through the module's API,
   * each answer checked against a java.time model of the pool's windows.
   */
  static Stats freeAtT(Connection c, Fixture fixture) throws SQLException {
    PoolAvailability availability = new PoolAvailabilityService();
    Random random = new Random(7);
    long node = fixture.owners().get(0);
    int warmups = 2000;
    double[] millis = new double[QUERIES];
    int held = 0;
    c.setAutoCommit(true);
    for (int i = -warmups; i < QUERIES; i++) {
      int calendar = random.nextInt(CALENDARS);
      Instant at = Instant.parse("2027-01-04T00:00:00Z").plusSeconds(random.nextInt(365 * 86_400));
      long start = System.nanoTime();
      PoolStatus status = availability.check(c, node, Fixture.poolName(calendar), at);
      long nanos = System.nanoTime() - start;
      Row expected = fixture.holder(calendar, at);
      if (!Fixture.agrees(status, expected, node)) {
        throw new IllegalStateException(
            "pool "
                + Fixture.poolName(calendar)
                + " at "
                + at
                + ": got "
                + status
                + ", expected "
                + (expected == null ? "free" : "window " + expected));
      }
      if (i >= 0) {
        millis[i] = nanos / 1e6;
        held += status.state() == State.FREE ? 0 : 1;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%nFree-at-T: %,d PoolAvailability.check calls, %,d found the pool held, every answer"
            + " matched the java.time model%n",
        QUERIES,
        held);
    return Stats.of(millis);
  }

  static void report(int total, double[] single, double[] batched, Stats check) {
    double ratio = single[0] / single[1];
    double batchedRatio = batched[0] / batched[1];
    System.out.printf(Locale.ROOT, "%nFigures%n");
    System.out.printf(
        Locale.ROOT,
        "  %-62s %,10.0f rows/s%n",
        "insert, with windows_no_overlap (one per transaction)",
        single[0]);
    System.out.printf(
        Locale.ROOT,
        "  %-62s %,10.0f rows/s%n",
        "insert, copy without it (one per transaction)",
        single[1]);
    System.out.printf(Locale.ROOT, "  %-62s %10.1f %%%n", "  ratio", ratio * 100);
    System.out.printf(
        Locale.ROOT,
        "  %-62s %,10.0f rows/s%n",
        "insert, with windows_no_overlap (batches of 1,000)",
        batched[0]);
    System.out.printf(
        Locale.ROOT,
        "  %-62s %,10.0f rows/s%n",
        "insert, copy without it (batches of 1,000)",
        batched[1]);
    System.out.printf(Locale.ROOT, "  %-62s %10.1f %%%n", "  ratio", batchedRatio * 100);
    System.out.printf(
        Locale.ROOT,
        "  %-62s median %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        String.format(Locale.ROOT, "free-at-T (PoolAvailability.check), %,d windows", total),
        check.median(),
        check.p95(),
        check.p99(),
        check.max());
    System.out.printf(Locale.ROOT, "%nTarget%n");
    System.out.printf(
        Locale.ROOT,
        "  %s  inserts with the exclusion constraint at >= 60 %% of the rate without it"
            + " (one per transaction, same run): %.1f %%%n",
        ratio >= RATIO_TARGET ? "PASS" : "FAIL",
        ratio * 100);
  }

  static void printPlan(Connection c) throws SQLException {
    System.out.printf(Locale.ROOT, "%nPlan of the free-at-T query%n");
    try (PreparedStatement explain =
        c.prepareStatement(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT w.id FROM"
                + " scheduling.calendars c JOIN scheduling.windows w ON w.calendar_id = c.id WHERE"
                + " c.kind = 'pool' AND c.name = ? AND scheduling.window_cover(w.start_second,"
                + " w.end_second, w.once_cover)     @> scheduling.week_second(?, c.time_zone) AND"
                + " w.effective @> ?::timestamptz")) {
      OffsetDateTime at = OffsetDateTime.parse("2027-03-09T21:30:00Z");
      explain.setString(1, Fixture.poolName(42));
      explain.setObject(2, at);
      explain.setObject(3, at);
      try (ResultSet lines = explain.executeQuery()) {
        while (lines.next()) {
          System.out.println("  " + lines.getString(1));
        }
      }
    }
  }

  static void printMachine(Connection c) throws Exception {
    Runtime runtime = Runtime.getRuntime();
    String cpu = System.getProperty("os.arch");
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try (Stream<String> lines = Files.lines(cpuinfo)) {
        cpu =
            lines
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse(cpu);
      }
    }
    System.out.println("Machine");
    System.out.printf(
        Locale.ROOT,
        "  CPU                %s, %d processors (JVM)%n",
        cpu,
        runtime.availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "  Java               %s, max heap %d MiB%n",
        System.getProperty("java.version"),
        runtime.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "  PostgreSQL         %s%n", scalar(c, "SELECT version()"));
    System.out.printf(
        Locale.ROOT,
        "  settings           shared_buffers %s, synchronous_commit %s, fsync %s%n",
        scalar(c, "SHOW shared_buffers"),
        scalar(c, "SHOW synchronous_commit"),
        scalar(c, "SHOW fsync"));
    System.out.printf(
        Locale.ROOT,
        "  load average       %s%n",
        Files.isReadable(Path.of("/proc/loadavg"))
            ? Files.readString(Path.of("/proc/loadavg")).trim()
            : "?");
  }

  static double rate(long rows, long nanos) {
    return rows / (nanos / 1e9);
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  /** One window to insert; {@code calendar} is the index of its pool. */
  record Row(int calendar, long calendarId, String kind, Long owner, int start, int end) {

    /** Binds the row; {@code turn} when the statement first takes the calendar's turn. */
    void bind(PreparedStatement insert, boolean turn) throws SQLException {
      int p = turn ? 1 : 0;
      if (turn) {
        insert.setLong(1, calendarId);
      }
      insert.setLong(p + 1, calendarId);
      insert.setString(p + 2, kind);
      if (owner == null) {
        insert.setNull(p + 3, Types.BIGINT);
      } else {
        insert.setLong(p + 3, owner);
      }
      insert.setString(p + 4, "bench");
      insert.setInt(p + 5, start);
      insert.setInt(p + 6, end);
      insert.setObject(p + 7, OffsetDateTime.of(2026, 1, 5, 0, 0, 0, 0, ZoneOffset.UTC));
    }

    boolean covers(int second) {
      return start < end ? second >= start && second < end : second >= start || second < end;
    }
  }

  /**
   * The calendars, the owning projects and the windows: each calendar's week cut into equal slots,
   * one window of random length and offset in each, the whole pattern turned by a random amount so
   * that about one window per calendar wraps the week's end.
   */
  record Fixture(
      List<Row> rows, List<Long> owners, long[] calendarIds, List<List<Row>> byCalendar) {

    static String poolName(int calendar) {
      return "bench-pool-" + calendar;
    }

    static Fixture create(Connection c, int total, Random random) throws SQLException {
      long started = System.nanoTime();
      c.setAutoCommit(true);
      execute(c, "SELECT set_config('rota.actor', 'benchmark', false)");
      List<Long> owners = new ArrayList<>();
      long group;
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "WITH p AS (INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id)"
                      + " INSERT INTO tenancy.nodes (kind, name, label, party_id)"
                      + " SELECT 'group', 'bench', 'bench', id FROM p RETURNING id")) {
        r.next();
        group = r.getLong(1);
      }
      try (PreparedStatement project =
          c.prepareStatement(
              "INSERT INTO tenancy.nodes (kind, parent_id, name, label) VALUES ('project', ?, ?, ?)"
                  + " RETURNING id")) {
        for (int i = 0; i < 20; i++) {
          project.setLong(1, group);
          project.setString(2, "project" + i);
          project.setString(3, "project" + i);
          try (ResultSet r = project.executeQuery()) {
            r.next();
            owners.add(r.getLong(1));
          }
        }
      }
      long[] calendarIds = new long[CALENDARS];
      try (PreparedStatement calendar =
          c.prepareStatement(
              "INSERT INTO scheduling.calendars (kind, name, time_zone) VALUES ('pool', ?, ?)"
                  + " RETURNING id")) {
        for (int i = 0; i < CALENDARS; i++) {
          calendar.setString(1, poolName(i));
          calendar.setString(2, ZONES.get(i % ZONES.size()));
          try (ResultSet r = calendar.executeQuery()) {
            r.next();
            calendarIds[i] = r.getLong(1);
          }
        }
      }
      int perCalendar = (total + CALENDARS - 1) / CALENDARS;
      int slot = WEEK / perCalendar;
      List<Row> rows = new ArrayList<>();
      List<List<Row>> byCalendar = new ArrayList<>();
      for (int i = 0; i < CALENDARS; i++) {
        List<Row> mine = new ArrayList<>();
        int turn = random.nextInt(WEEK);
        for (int k = 0; k < perCalendar && rows.size() < total; k++) {
          int length = 1 + random.nextInt(slot - 1);
          int from = k * slot + random.nextInt(slot - length + 1);
          int start = (from + turn) % WEEK;
          int end = (from + length + turn) % WEEK;
          boolean reservation = random.nextInt(4) != 0;
          Row row =
              new Row(
                  i,
                  calendarIds[i],
                  reservation ? "reservation" : "maintenance",
                  reservation ? owners.get(random.nextInt(owners.size())) : null,
                  start,
                  end == 0 ? WEEK : end);
          mine.add(row);
          rows.add(row);
        }
        byCalendar.add(mine);
      }
      Collections.shuffle(rows, random);
      long wrapping = rows.stream().filter(r -> r.start() > r.end()).count();
      System.out.printf(
          Locale.ROOT,
          "Fixture: %,d calendars in %d zones, %,d windows (%,d wrapping the week's end), 20 owning"
              + " projects, made in %.1f s%n",
          CALENDARS,
          ZONES.size(),
          rows.size(),
          wrapping,
          (System.nanoTime() - started) / 1e9);
      return new Fixture(rows, owners, calendarIds, byCalendar);
    }

    /** The window of the model holding pool {@code calendar} at {@code at}, or null. */
    Row holder(int calendar, Instant at) {
      ZoneId zone = ZoneId.of(ZONES.get(calendar % ZONES.size()));
      LocalDateTime local = LocalDateTime.ofInstant(at, zone);
      int second =
          (local.getDayOfWeek().getValue() - 1) * 86_400 + local.toLocalTime().toSecondOfDay();
      return byCalendar.get(calendar).stream()
          .filter(r -> r.covers(second))
          .findFirst()
          .orElse(null);
    }

    static boolean agrees(PoolStatus status, Row expected, long node) {
      if (expected == null) {
        return status.state() == State.FREE;
      }
      if (expected.kind().equals("maintenance")) {
        return status.state() == State.MAINTENANCE;
      }
      State wanted = expected.owner() == node ? State.RESERVED_FOR_NODE : State.RESERVED_FOR_OTHER;
      return status.state() == wanted && expected.owner().equals(status.ownerNodeId());
    }

    void verifyLoaded(Connection c) throws SQLException {
      long constrained = Long.parseLong(scalar(c, "SELECT count(*) FROM scheduling.windows"));
      long plain =
          Long.parseLong(scalar(c, "SELECT count(*) FROM scheduling.windows_unconstrained"));
      if (constrained != rows.size() || plain != rows.size()) {
        throw new IllegalStateException(
            "expected "
                + rows.size()
                + " rows in each table, found "
                + constrained
                + " and "
                + plain);
      }
    }
  }

  /** Median and percentiles (nearest rank) of one measurement, in milliseconds. */
  record Stats(int runs, double median, double p95, double p99, double max) {
    static Stats of(double[] millis) {
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return new Stats(
          n,
          n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
          sorted[(int) Math.ceil(0.95 * n) - 1],
          sorted[(int) Math.ceil(0.99 * n) - 1],
          sorted[n - 1]);
    }
  }
}
