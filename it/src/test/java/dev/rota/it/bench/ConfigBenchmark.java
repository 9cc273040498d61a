package dev.rota.it.bench;

import dev.rota.configvcs.internal.application.CommitService;
import dev.rota.configvcs.internal.application.CommitService.CommitRequest;
import dev.rota.configvcs.internal.application.ConfigAccess;
import dev.rota.configvcs.internal.application.HistoryService;
import dev.rota.configvcs.internal.application.NoParties;
import dev.rota.configvcs.internal.application.PieceCache;
import dev.rota.configvcs.internal.application.RefService;
import dev.rota.configvcs.internal.application.TreeReader;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.TestDocuments;
import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Measures the configuration store where the issue puts its targets: a configuration of about 1 MB
 * committed once, then {@code rota.bench.commits} (1,000) commits that each change one leaf (a JSON
 * Patch replace of one team's GPU quota), through the real services and schema. Prints the bytes
 * the database grows per commit (pg_total_relation_size of the configvcs tables before and after:
 * heap, TOAST and indexes) next to a baseline measured in the same run (a table storing the full
 * jsonb document at every commit, as a naive history would), then the time to read the head, the
 * oldest and random versions of the document, and a log page, with PASS/FAIL per target (under 4 KB
 * per commit; every read under 50 ms). Every version read is checked against the document the
 * benchmark itself built. A plain {@code main}; exits non-zero only when an answer is wrong.
 */
public final class ConfigBenchmark {

  static final double GROWTH_TARGET_BYTES = 4096;
  static final double READ_TARGET_MS = 50;

  private static final int TEAMS = 2200;
  private static final ConfigPath PATH = ConfigPath.of("platform");
  private static final List<String> TABLES =
      List.of(
          "configvcs.objects",
          "configvcs.snapshots",
          "configvcs.commits",
          "configvcs.refs",
          "configvcs.repositories");

  private ConfigBenchmark() {}

  public static void main(String[] args) throws Exception {
    int commits = Integer.getInteger("rota.bench.commits", 1000);
    int samples = Integer.getInteger("rota.bench.samples", 50);
    long started = System.nanoTime();
    try (Connection connection = TestDatabase.get().dataSource().getConnection()) {
      printMachine(connection);
      Transactions transactions = TestDatabase.onOneConnection(connection);
      PieceCache cache = new PieceCache();
      ConfigAccess access =
          new ConfigAccess(transactions, new Everyone(), cache, Clock.systemUTC());
      CommitService commitService = new CommitService(access, new NoParties());
      TreeReader tree = new TreeReader(access);
      HistoryService history = new HistoryService(access);
      RefService refs = new RefService(access);
      Caller admin = new Caller("bench", "bench", "bench", Set.of(), true);
      long node = createNode(connection);
      execute(
          connection,
          "CREATE TABLE bench_full_copies (id bigserial PRIMARY KEY, doc jsonb NOT NULL)");

      JsonObject document = largeDocument();
      String canonical = CanonicalJson.write(document);
      Commit first =
          commit(
              commitService,
              refs,
              admin,
              node,
              "the 1 MB configuration",
              new Change.Put(PATH, document));
      insertFullCopy(connection, canonical);
      System.out.printf(
          Locale.ROOT,
          "Document: %,d bytes of canonical JSON, %,d teams%n%n",
          canonical.getBytes(StandardCharsets.UTF_8).length,
          TEAMS);

      Map<String, Long> before = sizes(connection);
      long fullBefore = size(connection, "bench_full_copies");
      Random random = new Random(7);
      List<Commit> made = new ArrayList<>(List.of(first));
      // Versions kept in memory to check reads against: a sample, as 1,000 of them take 1 GB.
      List<Integer> sampled = new Random(11).ints(25, 1, commits + 1).boxed().toList();
      Map<Integer, String> versions = new LinkedHashMap<>(Map.of(0, canonical));
      long commitNanos = 0;
      for (int i = 1; i <= commits; i++) {
        String team = "team-%04d".formatted(random.nextInt(TEAMS));
        JsonArray patch = replace("/teams/" + team + "/quota/gpus", 1000 + i);
        document = (JsonObject) JsonText.PROVIDER.createPatch(patch).apply(document);
        long t0 = System.nanoTime();
        made.add(
            commit(
                commitService,
                refs,
                admin,
                node,
                "gpus of " + team,
                new Change.JsonPatch(PATH, patch)));
        commitNanos += System.nanoTime() - t0;
        String version = CanonicalJson.write(document);
        if (sampled.contains(i) || i == commits) {
          versions.put(i, version);
        }
        insertFullCopy(connection, version);
        if (i % 250 == 0) {
          System.out.printf(Locale.ROOT, "  %,d commits%n", i);
        }
      }
      Map<String, Long> after = sizes(connection);
      long fullAfter = size(connection, "bench_full_copies");
      printGrowth(before, after, commits, fullBefore, fullAfter, commitNanos);

      String last = versions.get(commits);
      Supplier<String> head = () -> read(tree, admin, node, "main");
      Supplier<String> oldest = () -> read(tree, admin, node, first.hash().hex());
      Random pick = new Random(13);
      List<Integer> kept = List.copyOf(versions.keySet());
      boolean right = last.equals(head.get()) && canonical.equals(oldest.get());
      for (int version : kept) {
        right &=
            versions.get(version).equals(read(tree, admin, node, made.get(version).hash().hex()));
      }
      Runnable anyVersion =
          () -> {
            int version = kept.get(pick.nextInt(kept.size()));
            check(read(tree, admin, node, made.get(version).hash().hex()), versions.get(version));
          };
      Runnable cold = cache::clear;
      Runnable warm = () -> {};
      Stats logStats = time(samples, warm, () -> history.log(admin, node, "main", null, null, 51));
      Stats filteredLog =
          time(samples, warm, () -> history.log(admin, node, "main", null, PATH, 51));
      System.out.printf(
          Locale.ROOT,
          "%nReads, %d samples each (ms)                 median      p95      max%n",
          samples);
      row(
          "head, cold (piece cache emptied first)",
          time(samples, cold, () -> check(head.get(), last)),
          true);
      row("oldest version, cold", time(samples, cold, () -> check(oldest.get(), canonical)), true);
      row("a random version, cold", time(samples, cold, anyVersion), true);
      row("head, warm", time(samples, warm, () -> check(head.get(), last)), true);
      row("oldest version, warm", time(samples, warm, () -> check(oldest.get(), canonical)), true);
      row("a random version, warm", time(samples, warm, anyVersion), true);
      row("log page (50 commits)", logStats, false);
      row("log page, path filter", filteredLog, false);
      if (!right) {
        System.out.println("WRONG: a version read back differs from the document written");
        System.exit(2);
      }
    }
    System.out.printf(Locale.ROOT, "%nWhole run: %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  private static Commit commit(
      CommitService commits,
      RefService refs,
      Caller admin,
      long node,
      String message,
      Change change) {
    ContentHash head = refs.get(admin, node, RefName.MAIN).commit();
    return commits.commit(
        admin, node, new CommitRequest(RefName.MAIN, head, message, List.of(change)));
  }

  private static String read(TreeReader tree, Caller admin, long node, String ref) {
    return tree.document(admin, node, ref, PATH).canonical();
  }

  private static void check(String read, String expected) {
    if (!read.equals(expected)) {
      throw new IllegalStateException("a version read back differs from the document written");
    }
  }

  private static void printGrowth(
      Map<String, Long> before,
      Map<String, Long> after,
      int commits,
      long fullBefore,
      long fullAfter,
      long commitNanos) {
    System.out.printf(
        Locale.ROOT, "%nGrowth over %,d one-leaf commits (pg_total_relation_size)%n", commits);
    long total = 0;
    for (String table : TABLES) {
      long delta = after.get(table) - before.get(table);
      total += delta;
      System.out.printf(
          Locale.ROOT,
          "  %-24s %,12d -> %,12d bytes  (+%,d)%n",
          table,
          before.get(table),
          after.get(table),
          delta);
    }
    double perCommit = (double) total / commits;
    double fullPerCommit = (double) (fullAfter - fullBefore) / commits;
    System.out.printf(
        Locale.ROOT,
        "  configvcs, per commit      %,10.0f bytes   target < %,.0f: %s%n",
        perCommit,
        GROWTH_TARGET_BYTES,
        perCommit < GROWTH_TARGET_BYTES ? "PASS" : "FAIL");
    System.out.printf(
        Locale.ROOT,
        "  full copies, per commit    %,10.0f bytes   (jsonb, TOAST-compressed)%n",
        fullPerCommit);
    System.out.printf(
        Locale.ROOT, "  -> %.0fx less than storing full copies%n", fullPerCommit / perCommit);
    System.out.printf(
        Locale.ROOT,
        "  commit (read parent, patch, split, store, move branch): mean %.1f ms%n",
        commitNanos / 1e6 / commits);
  }

  private static void row(String name, Stats stats, boolean target) {
    boolean met = stats.max < READ_TARGET_MS;
    System.out.printf(
        Locale.ROOT,
        "  %-40s %8.1f %8.1f %8.1f   %s%n",
        name,
        stats.median,
        stats.p95,
        stats.max,
        target ? "max < " + (int) READ_TARGET_MS + " ms: " + (met ? "PASS" : "FAIL") : "");
  }

  record Stats(double median, double p95, double max) {}

  /** Times {@code work} after a few unmeasured runs; {@code before} runs untimed before each. */
  private static Stats time(int samples, Runnable before, Runnable work) {
    for (int i = 0; i < 5; i++) {
      before.run();
      work.run();
    }
    double[] ms = new double[samples];
    for (int i = 0; i < samples; i++) {
      before.run();
      long t0 = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return new Stats(ms[samples / 2], ms[(int) Math.ceil(samples * 0.95) - 1], ms[samples - 1]);
  }

  private static JsonArray replace(String pointer, int value) {
    return JsonText.PROVIDER
        .createArrayBuilder()
        .add(
            JsonText.PROVIDER
                .createObjectBuilder()
                .add("op", "replace")
                .add("path", pointer)
                .add("value", value))
        .build();
  }

  /** The configvcs tests' realistic configuration of about 1 MB. */
  static JsonObject largeDocument() {
    return TestDocuments.large(TEAMS);
  }

  private static Map<String, Long> sizes(Connection c) throws SQLException {
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (String table : TABLES) {
      sizes.put(table, size(c, table));
    }
    return sizes;
  }

  private static long size(Connection c, String table) throws SQLException {
    try (PreparedStatement query =
        c.prepareStatement("SELECT pg_total_relation_size(?::regclass)")) {
      query.setString(1, table); // 1 the table, with its TOAST table and indexes
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static void insertFullCopy(Connection c, String canonical) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO bench_full_copies (doc) VALUES (?::jsonb)")) {
      insert.setString(1, canonical); // 1 the whole document
      insert.executeUpdate();
    }
  }

  private static long createNode(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet row =
            statement.executeQuery(
                "WITH party AS (INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id) "
                    + "INSERT INTO tenancy.nodes (kind, name, label, party_id) "
                    + "VALUES ('group', 'Bench', 'bench', (SELECT id FROM party)) RETURNING id")) {
      row.next();
      return row.getLong(1);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void printMachine(Connection c) throws Exception {
    Path loadavg = Path.of("/proc/loadavg");
    String load =
        Files.isReadable(loadavg)
            ? String.join(" ", Arrays.asList(Files.readString(loadavg).split(" ")).subList(0, 3))
            : "unknown";
    try (Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery("SELECT version()")) {
      row.next();
      System.out.printf(
          Locale.ROOT,
          "Configuration store benchmark%n  Java %s, %d processors, load %s%n  %s%n%n",
          System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors(),
          load,
          row.getString(1));
    }
  }

  /** The benchmark's caller administers everything. */
  private static final class Everyone implements Authorization {
    @Override
    public Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId) {
      return Optional.of(Role.OWNER);
    }

    @Override
    public Role require(
        Connection connection, Caller caller, long nodeId, Role minimum, String what) {
      return Role.OWNER;
    }
  }
}
