package dev.rota.it.bench;

import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

/**
 * Measures the tenancy tree at scale in the real schema: loads a tree of a million nodes into the
 * embedded, migrated PostgreSQL, then times subtree and ancestor reads (ltree over its GiST index
 * versus recursive CTEs over parent_id), the effective-role check and a subtree move, and prints
 * the figures with PASS/FAIL per target. A plain {@code main} run by the {@code bench} profile of
 * it/pom.xml, so that {@code ./mvnw verify} never runs it; {@code -Drota.bench.nodes=N} sets the
 * minimum tree size. Exits 0 when a target is missed (it is a measurement) and non-zero only when
 * the data or an answer is wrong.
 */
public final class TenancyTreeBenchmark {

  static final double SUBTREE_SPEED_UP_TARGET = 10.0;
  static final double ROLE_CHECK_TARGET_MS = 1.0;
  static final double MOVE_TARGET_MS = 250.0;

  /** The subtree through the materialized path: one GiST scan below the root's path. */
  static final String SUBTREE_LTREE =
      """
      SELECT n.id, n.parent_id, n.name, n.path
        FROM tenancy.nodes n, tenancy.nodes top
       WHERE top.id = ?                                  -- 1 the subtree's root
         AND n.path <@ top.path
      """;

  /** The same subtree the way a bare adjacency list must: one join per level, down parent_id. */
  static final String SUBTREE_CTE =
      """
      WITH RECURSIVE sub AS (
        SELECT id, parent_id, name, path FROM tenancy.nodes
         WHERE id = ?                                    -- 1 the subtree's root
        UNION ALL
        SELECT n.id, n.parent_id, n.name, n.path
          FROM tenancy.nodes n JOIN sub ON n.parent_id = sub.id)
      SELECT id, parent_id, name, path FROM sub
      """;

  /** The node and its ancestors, root first, through the path's GiST index. */
  static final String ANCESTORS_LTREE =
      """
      SELECT n.id, n.parent_id, n.name, n.path
        FROM tenancy.nodes n, tenancy.nodes leaf
       WHERE leaf.id = ?                                 -- 1 the node
         AND n.path @> leaf.path
       ORDER BY nlevel(n.path)
      """;

  /** The same chain walking parent_id upward, one primary-key lookup per level. */
  static final String ANCESTORS_CTE =
      """
      WITH RECURSIVE up AS (
        SELECT id, parent_id, name, path, 0 AS height FROM tenancy.nodes
         WHERE id = ?                                    -- 1 the node
        UNION ALL
        SELECT n.id, n.parent_id, n.name, n.path, up.height + 1
          FROM tenancy.nodes n JOIN up ON n.id = up.parent_id)
      SELECT id, parent_id, name, path FROM up ORDER BY height DESC
      """;

  /** What the application runs to move a subtree; the triggers re-path every descendant. */
  static final String MOVE =
      "UPDATE tenancy.nodes SET parent_id = ? WHERE id = ?"; // 1 new parent, 2 the subtree's root

  private TenancyTreeBenchmark() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    TreeShape shape = TreeShape.atLeast(Long.getLong("rota.bench.nodes", 1_000_000L));
    System.out.printf(
        Locale.ROOT,
        "Tenancy tree benchmark: %,d nodes (fan-out %d, depth %d)%n%n",
        shape.size(),
        TreeShape.FAN_OUT,
        shape.depth());
    try (Connection c = TestDatabase.get().dataSource().getConnection()) {
      printMachine(c);
      TreeLoader loader = new TreeLoader(c, shape);
      RoleFixture roles = loader.load();
      List<Stats> subtree = subtreeReads(c, shape);
      List<Stats> ancestors = ancestorReads(c, shape);
      List<Stats> role = roleChecks(c, roles);
      Stats move = moves(c, shape);
      System.out.printf(Locale.ROOT, "%nAfter the measurements%n");
      loader.verifyPaths("after the rolled-back moves");
      Report.print(
          shape,
          new Results(
              subtree.get(0),
              subtree.get(1),
              subtree.get(2),
              subtree.get(3),
              ancestors.get(0),
              ancestors.get(1),
              role.get(0),
              role.get(1),
              move));
      Report.printPlans(c, shape);
    }
    System.out.printf(Locale.ROOT, "%nWhole run: %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  /** The facts that make the figures comparable between machines. */
  static void printMachine(Connection c) throws Exception {
    Runtime runtime = Runtime.getRuntime();
    System.out.println("Machine");
    System.out.printf(Locale.ROOT, "  CPU                %s%n", cpuModel());
    System.out.printf(Locale.ROOT, "  processors (JVM)   %d%n", runtime.availableProcessors());
    System.out.printf(Locale.ROOT, "  max heap (JVM)     %d MiB%n", runtime.maxMemory() >> 20);
    // Other work on the machine skews the figures; the load average at the start says how much.
    System.out.printf(Locale.ROOT, "  load average       %s%n", loadAverage());
    System.out.printf(
        Locale.ROOT,
        "  Java               %s (%s)%n",
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"));
    System.out.printf(Locale.ROOT, "  PostgreSQL         %s%n", scalar(c, "SELECT version()"));
    System.out.printf(
        Locale.ROOT,
        "  PostgreSQL memory  shared_buffers %s, work_mem %s%n%n",
        scalar(c, "SHOW shared_buffers"),
        scalar(c, "SHOW work_mem"));
  }

  private static String loadAverage() throws Exception {
    Path loadavg = Path.of("/proc/loadavg");
    return Files.isReadable(loadavg)
        ? String.join(" ", Arrays.asList(Files.readString(loadavg).split(" ")).subList(0, 3))
            + " (1, 5, 15 min)"
        : "unknown";
  }

  private static String cpuModel() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return System.getProperty("os.arch");
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse(System.getProperty("os.arch"));
    }
  }

  /**
   * a. A ~10,000-node subtree, ltree against recursive CTE, a different subtree each run; then the
   * same two queries' execution time inside PostgreSQL alone, without the rows' transfer.
   */
  static List<Stats> subtreeReads(Connection c, TreeShape shape) throws SQLException {
    int level = shape.movableLevel();
    long size = shape.subtreeSize(level);
    List<Stats> stats = new ArrayList<>();
    try (PreparedStatement ltree = c.prepareStatement(SUBTREE_LTREE);
        PreparedStatement cte = c.prepareStatement(SUBTREE_CTE)) {
      stats.addAll(
          Timer.roundRobin(
              10,
              50,
              rep -> expectRows(ltree, shape.nth(level, rep * 37L), size),
              rep -> expectRows(cte, shape.nth(level, rep * 37L), size)));
    }
    stats.add(serverSide(c, SUBTREE_LTREE, rep -> shape.nth(level, rep * 37L)));
    stats.add(serverSide(c, SUBTREE_CTE, rep -> shape.nth(level, rep * 37L)));
    return stats;
  }

  /**
   * PostgreSQL's own execution time of a query, from EXPLAIN ANALYZE without per-node timing (which
   * would inflate the CTE's one index probe per node): no parsing, no transfer, no JDBC.
   */
  static Stats serverSide(Connection c, String sql, LongUnaryOperator idOfRun) throws SQLException {
    int warmups = 5;
    double[] millis = new double[30];
    try (PreparedStatement explain =
        c.prepareStatement("EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) " + sql)) {
      for (int rep = 0; rep < warmups + millis.length; rep++) {
        explain.setLong(1, idOfRun.applyAsLong(rep));
        double executed = executionMillis(explain);
        if (rep >= warmups) {
          millis[rep - warmups] = executed;
        }
      }
    }
    return Stats.of(millis);
  }

  private static double executionMillis(PreparedStatement explain) throws SQLException {
    try (ResultSet lines = explain.executeQuery()) {
      while (lines.next()) {
        String line = lines.getString(1).trim();
        if (line.startsWith("Execution Time:")) {
          return Double.parseDouble(line.replaceAll("[^0-9.]", ""));
        }
      }
    }
    throw new IllegalStateException("EXPLAIN ANALYZE reported no execution time");
  }

  /** b. The ancestors of a deepest-level node (root first), ltree against recursive CTE. */
  static List<Stats> ancestorReads(Connection c, TreeShape shape) throws SQLException {
    int depth = shape.depth();
    try (PreparedStatement ltree = c.prepareStatement(ANCESTORS_LTREE);
        PreparedStatement cte = c.prepareStatement(ANCESTORS_CTE)) {
      return Timer.roundRobin(
          500,
          3000,
          rep -> expectChain(ltree, shape.nth(depth, rep * 7919L), depth + 1),
          rep -> expectChain(cte, shape.nth(depth, rep * 7919L), depth + 1));
    }
  }

  /** c. RoleRepository.effectiveRole at deep nodes, next to a bare JDBC round trip for scale. */
  static List<Stats> roleChecks(Connection c, RoleFixture roles) throws SQLException {
    RoleRepository repository = new RoleRepository();
    try (PreparedStatement ping = c.prepareStatement("SELECT 1")) {
      return Timer.roundRobin(
          1000,
          5000,
          rep -> roles.check(repository.effectiveRole(c, roles.user(), roles.leaf(rep)), rep),
          rep -> expectRows(ping, null, 1));
    }
  }

  /** d. Moves a ~10,000-node subtree to another parent, triggers on, rolled back each time. */
  static Stats moves(Connection c, TreeShape shape) throws SQLException {
    try (SubtreeMove move = new SubtreeMove(c, shape)) {
      move.checkCascade();
      return Timer.roundRobin(3, 25, move).get(0);
    }
  }

  /** Reads every column of every row, as a caller would, and checks the row count. */
  static void expectRows(PreparedStatement query, Long id, long expected) throws SQLException {
    if (id != null) {
      query.setLong(1, id);
    }
    long count = 0;
    try (ResultSet rows = query.executeQuery()) {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        for (int column = 1; column <= columns; column++) {
          rows.getString(column);
        }
        count++;
      }
    }
    if (count != expected) {
      throw new IllegalStateException("expected " + expected + " rows, read " + count);
    }
  }

  /** Reads an ancestor chain and checks that it runs from the root down to the node. */
  static void expectChain(PreparedStatement query, long id, int length) throws SQLException {
    query.setLong(1, id);
    List<Long> chain = new ArrayList<>();
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        chain.add(rows.getLong(1));
        rows.getString(2);
        rows.getString(3);
        rows.getString(4);
      }
    }
    if (chain.size() != length || chain.get(0) != 1L || chain.get(length - 1) != id) {
      throw new IllegalStateException("ancestors of " + id + " came back as " + chain);
    }
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  /** Every figure of one run. */
  record Results(
      Stats subtreeLtree,
      Stats subtreeCte,
      Stats subtreeLtreeServer,
      Stats subtreeCteServer,
      Stats ancestorsLtree,
      Stats ancestorsCte,
      Stats effectiveRole,
      Stats roundTrip,
      Stats move) {}

  /** Median and 95th percentile (nearest rank) of one measurement, in milliseconds. */
  record Stats(int runs, double median, double p95, double min, double max) {
    static Stats of(double[] millis) {
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      double p95 = sorted[(int) Math.ceil(0.95 * n) - 1];
      return new Stats(n, median, p95, sorted[0], sorted[n - 1]);
    }
  }

  /** Times operations after a warm-up, round robin so that drift touches every variant alike. */
  static final class Timer {

    /** One timed operation; {@code rep} picks its input, so runs do not all hit one cached row. */
    interface Operation {
      void run(int rep) throws SQLException;

      /** Undoes what {@link #run} did, outside the timing. */
      default void undo() throws SQLException {}
    }

    private Timer() {}

    static List<Stats> roundRobin(int warmups, int runs, Operation... variants)
        throws SQLException {
      for (int rep = 0; rep < warmups; rep++) {
        for (Operation variant : variants) {
          variant.run(rep);
          variant.undo();
        }
      }
      double[][] millis = new double[variants.length][runs];
      for (int rep = 0; rep < runs; rep++) {
        for (int v = 0; v < variants.length; v++) {
          long start = System.nanoTime();
          variants[v].run(warmups + rep);
          millis[v][rep] = (System.nanoTime() - start) / 1e6;
          variants[v].undo();
        }
      }
      return Arrays.stream(millis).map(Stats::of).toList();
    }
  }

  /**
   * A complete tree with {@link #FAN_OUT} children per node, numbered breadth first from 1, so that
   * parents, levels and the descendants of a node at a level (a contiguous id range) are
   * arithmetic: the load needs no lookups and the benchmark names nodes without queries. Groups
   * fill the top three levels (each is a party, so there are few), projects the fourth, subprojects
   * the rest.
   */
  record TreeShape(int depth) {
    static final int FAN_OUT = 10;
    static final int LAST_GROUP_LEVEL = 2;
    static final int PROJECT_LEVEL = 3;

    /** The smallest complete tree of at least {@code nodes}; depth 4 at least, for subprojects. */
    static TreeShape atLeast(long nodes) {
      int depth = 4;
      while (new TreeShape(depth).size() < nodes) {
        depth++;
      }
      return new TreeShape(depth);
    }

    long size() {
      return lastId(depth);
    }

    static long width(int level) {
      long width = 1;
      for (int i = 0; i < level; i++) {
        width *= FAN_OUT;
      }
      return width;
    }

    static long firstId(int level) {
      return (width(level) - 1) / (FAN_OUT - 1) + 1;
    }

    static long lastId(int level) {
      return (width(level + 1) - 1) / (FAN_OUT - 1);
    }

    static long parent(long id) {
      return (id - 2) / FAN_OUT + 1;
    }

    static int levelOf(long id) {
      int level = 0;
      while (lastId(level) < id) {
        level++;
      }
      return level;
    }

    static String kind(int level) {
      return level <= LAST_GROUP_LEVEL
          ? "group"
          : level == PROJECT_LEVEL ? "project" : "subproject";
    }

    /** The i-th node of a level, wrapping around. */
    long nth(int level, long i) {
      return firstId(level) + Math.floorMod(i, width(level));
    }

    /** The i-th descendant of {@code id} at {@code level}, wrapping around. */
    static long descendant(long id, int level, long i) {
      long first = id;
      for (int l = levelOf(id); l < level; l++) {
        first = (first - 1) * FAN_OUT + 2;
      }
      return first + Math.floorMod(i, width(level - levelOf(id)));
    }

    /** The level whose subtrees hold about 10,000 nodes (four levels below), never the root. */
    int movableLevel() {
      return Math.max(1, depth - 4);
    }

    /** Nodes in the subtree of a node at {@code level}, itself included. */
    long subtreeSize(int level) {
      return (width(depth - level + 1) - 1) / (FAN_OUT - 1);
    }
  }

  /** The user whose effective role is checked, the deep nodes to check at, and the answer. */
  record RoleFixture(long user, long project, int depth, Role expected) {

    /** A node at the deepest level below the project the user's group is admin of. */
    long leaf(int rep) {
      return TreeShape.descendant(project, depth, rep * 7919L);
    }

    void check(Optional<Role> role, int rep) {
      if (!role.equals(Optional.of(expected))) {
        throw new IllegalStateException(
            "effectiveRole at node " + leaf(rep) + " gave " + role + ", expected " + expected);
      }
    }
  }

  /**
   * Loads the tree and the role data in bulk with triggers off (their work is computed in SQL
   * instead), then proves with one query that every path is its parent's path plus its label.
   */
  static final class TreeLoader {

    static final int USERS = 10_000;

    /** A group node's party has the node's own id, so the load links them without lookups. */
    private static final String GROUP_PARTIES =
        """
        INSERT INTO tenancy.parties (id, kind) OVERRIDING SYSTEM VALUE
        SELECT g, 'group' FROM generate_series(1, ?) AS g   -- 1 id of the last group node
        """;

    /** One level, its paths built from the level above; labels are unique tree-wide. */
    private static final String LEVEL =
        """
        INSERT INTO tenancy.nodes (id, kind, parent_id, name, label, path, party_id)
        OVERRIDING SYSTEM VALUE
        SELECT g, ?::tenancy.node_kind,                     -- 1 the level's kind
               p.id, 'Node ' || g, 'n' || g,
               CASE WHEN g = 1 THEN text2ltree('n' || g) ELSE p.path || text2ltree('n' || g) END,
               CASE WHEN ? THEN g END                       -- 2 whether the level is groups
          FROM generate_series(?, ?) AS g                   -- 3 first, 4 last id of the level
          LEFT JOIN tenancy.nodes p
            ON g > 1 AND p.id = (g - 2) / ? + 1             -- 5 the fan-out
        """;

    /** Identities continue after the explicit ids, as if the rows had been inserted one by one. */
    private static final String SEQUENCES =
        """
        SELECT setval(pg_get_serial_sequence('tenancy.nodes', 'id'),
                      (SELECT max(id) FROM tenancy.nodes)),
               setval(pg_get_serial_sequence('tenancy.parties', 'id'),
                      (SELECT max(id) FROM tenancy.parties))
        """;

    private static final String USERS_SQL =
        """
        WITH p AS (
          INSERT INTO tenancy.parties (kind)
          SELECT 'user' FROM generate_series(1, ?)          -- 1 how many users
          RETURNING id)
        INSERT INTO tenancy.users (party_id, name) SELECT id, 'user' || id FROM p
        """;

    /** Three groups per user, spread over all groups; the measured user gets only its own. */
    private static final String MEMBERSHIPS =
        """
        INSERT INTO tenancy.group_members (group_party_id, user_party_id)
        SELECT 1 + (u.party_id * 31 + k * 17) % ?, u.party_id   -- 1 number of groups (ids 1..n)
          FROM tenancy.users u, generate_series(1, 3) AS k
         WHERE u.party_id <> ?                              -- 2 the measured user
        """;

    /** Every group's members are members at the group's node. */
    private static final String GROUP_BINDINGS =
        """
        INSERT INTO tenancy.role_bindings (node_id, party_id, role)
        SELECT id, party_id, 'member' FROM tenancy.nodes WHERE kind = 'group'
        """;

    /** Three other users bound at each project and each first-level subproject. */
    private static final String USER_BINDINGS =
        """
        INSERT INTO tenancy.role_bindings (node_id, party_id, role)
        SELECT n, ? + 1 + (n * 10 + k) % (? - 1),           -- 1 the measured user, 2 how many users
               (ARRAY['viewer', 'member', 'admin'])[k]::tenancy.role
          FROM generate_series(?, ?) AS n,                  -- 3 first project, 4 last subproject
               generate_series(1, 3) AS k
        """;

    private static final String MEMBER =
        """
        INSERT INTO tenancy.group_members (group_party_id, user_party_id)
        VALUES (?, ?)                                       -- 1 the group's party, 2 the user
        """;

    private static final String BIND =
        """
        INSERT INTO tenancy.role_bindings (node_id, party_id, role)
        VALUES (?, ?, ?::tenancy.role)                      -- 1 node, 2 party, 3 role
        """;

    /** Zero when every path is its parent's path plus its own label (the root: its label). */
    private static final String PATH_MISMATCHES =
        """
        SELECT count(*) FILTER (WHERE n.path IS DISTINCT FROM
                 CASE WHEN n.parent_id IS NULL THEN text2ltree(n.label)
                      ELSE p.path || text2ltree(n.label) END),
               count(*)
          FROM tenancy.nodes n LEFT JOIN tenancy.nodes p ON p.id = n.parent_id
        """;

    private final Connection c;
    private final TreeShape shape;

    TreeLoader(Connection c, TreeShape shape) {
      this.c = c;
      this.shape = shape;
    }

    RoleFixture load() throws SQLException {
      System.out.println("Load");
      long user;
      long start = System.nanoTime();
      // Triggers (and the foreign-key checks, which are triggers too) are off for this session
      // only: the paths they would compute one row at a time are computed per level here.
      execute("SET session_replication_role = replica");
      try {
        loadTree();
        step("parties and nodes, triggers off", start, "%,d nodes", shape.size());
        start = System.nanoTime();
        user = loadAccess();
      } finally {
        execute("RESET session_replication_role");
      }
      RoleFixture fixture = seedMeasuredUser(user);
      step("users, memberships, role bindings", start, "%,d users", USERS);
      start = System.nanoTime();
      execute(
          "VACUUM (ANALYZE) tenancy.nodes, tenancy.parties, tenancy.users, tenancy.group_members,"
              + " tenancy.role_bindings");
      // Without it the load's dirty pages would be written out during the measurements.
      execute("CHECKPOINT");
      step("VACUUM (ANALYZE), CHECKPOINT", start, "tenancy.nodes %s with indexes", relationSize());
      verifyPaths("after the load");
      return fixture;
    }

    private void loadTree() throws SQLException {
      try (PreparedStatement parties = c.prepareStatement(GROUP_PARTIES)) {
        parties.setLong(1, TreeShape.lastId(TreeShape.LAST_GROUP_LEVEL));
        parties.executeUpdate();
      }
      try (PreparedStatement level = c.prepareStatement(LEVEL)) {
        for (int l = 0; l <= shape.depth(); l++) {
          level.setString(1, TreeShape.kind(l));
          level.setBoolean(2, l <= TreeShape.LAST_GROUP_LEVEL);
          level.setLong(3, TreeShape.firstId(l));
          level.setLong(4, TreeShape.lastId(l));
          level.setInt(5, TreeShape.FAN_OUT);
          level.executeUpdate();
        }
      }
      execute(SEQUENCES);
    }

    /** Users, memberships and bindings around the tree; returns the measured user's party. */
    private long loadAccess() throws SQLException {
      try (PreparedStatement users = c.prepareStatement(USERS_SQL)) {
        users.setInt(1, USERS);
        users.executeUpdate();
      }
      long user = Long.parseLong(scalar(c, "SELECT min(party_id) FROM tenancy.users"));
      try (PreparedStatement members = c.prepareStatement(MEMBERSHIPS);
          PreparedStatement bindings = c.prepareStatement(USER_BINDINGS)) {
        members.setLong(1, TreeShape.lastId(TreeShape.LAST_GROUP_LEVEL));
        members.setLong(2, user);
        members.executeUpdate();
        bindings.setLong(1, user);
        bindings.setInt(2, USERS);
        bindings.setLong(3, TreeShape.firstId(TreeShape.PROJECT_LEVEL));
        bindings.setLong(4, TreeShape.lastId(TreeShape.PROJECT_LEVEL + 1));
        bindings.executeUpdate();
      }
      execute(GROUP_BINDINGS);
      return user;
    }

    /**
     * With triggers on, as the application would: the user belongs to group G (level 2), is a
     * member at G's parent, G's members are admins of a project P below G, and the user owns an
     * unrelated project. At any node below P the answer is therefore admin, not owner.
     */
    private RoleFixture seedMeasuredUser(long user) throws SQLException {
      long group = shape.nth(TreeShape.LAST_GROUP_LEVEL, 42);
      long project = TreeShape.descendant(group, TreeShape.PROJECT_LEVEL, 3);
      long elsewhere =
          TreeShape.descendant(
              shape.nth(TreeShape.LAST_GROUP_LEVEL, 43), TreeShape.PROJECT_LEVEL, 5);
      try (PreparedStatement member = c.prepareStatement(MEMBER);
          PreparedStatement bind = c.prepareStatement(BIND)) {
        member.setLong(1, group); // a group node's party id is its node id
        member.setLong(2, user);
        member.executeUpdate();
        bind(bind, TreeShape.parent(group), user, Role.MEMBER);
        bind(bind, project, group, Role.ADMIN);
        bind(bind, elsewhere, user, Role.OWNER);
      }
      return new RoleFixture(user, project, shape.depth(), Role.ADMIN);
    }

    private static void bind(PreparedStatement bind, long node, long party, Role role)
        throws SQLException {
      bind.setLong(1, node);
      bind.setLong(2, party);
      bind.setString(3, role.sqlName());
      bind.executeUpdate();
    }

    /** Fails the run unless every path equals its parent's path plus its label. */
    void verifyPaths(String when) throws SQLException {
      long start = System.nanoTime();
      long mismatches;
      long nodes;
      try (Statement query = c.createStatement();
          ResultSet row = query.executeQuery(PATH_MISMATCHES)) {
        row.next();
        mismatches = row.getLong(1);
        nodes = row.getLong(2);
      }
      step("path check " + when, start, "%,d mismatches in %,d nodes", mismatches, nodes);
      if (mismatches != 0 || nodes != shape.size()) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "the tree is wrong %s: %d paths differ from parent || label, %d nodes of %d",
                when,
                mismatches,
                nodes,
                shape.size()));
      }
    }

    private String relationSize() throws SQLException {
      return scalar(c, "SELECT pg_size_pretty(pg_total_relation_size('tenancy.nodes'))");
    }

    private void execute(String sql) throws SQLException {
      try (Statement statement = c.createStatement()) {
        statement.execute(sql);
      }
    }

    private static void step(String what, long start, String format, Object... args) {
      System.out.printf(
          Locale.ROOT,
          "  %-46s %7.1f s   %s%n",
          what,
          (System.nanoTime() - start) / 1e9,
          String.format(Locale.ROOT, format, args));
    }
  }

  /**
   * d. One move per run: the subtree's root gets another parent of a compatible kind, in a
   * transaction that is rolled back (untimed) so that every run starts from the same tree.
   * Guarantees are 0 everywhere, so the guarantee check always passes.
   */
  static final class SubtreeMove implements Timer.Operation, AutoCloseable {

    /** The moved root hangs below its new parent, and its whole subtree came along. */
    private static final String MOVED =
        """
        SELECT moved.path = target.path || text2ltree(moved.label),
               (SELECT count(*) FROM tenancy.nodes n WHERE n.path <@ moved.path)
          FROM tenancy.nodes moved, tenancy.nodes target
         WHERE moved.id = ? AND target.id = ?               -- 1 the moved root, 2 its new parent
        """;

    private final Connection c;
    private final TreeShape shape;
    private final int level;
    private final PreparedStatement update;

    SubtreeMove(Connection c, TreeShape shape) throws SQLException {
      this.c = c;
      this.shape = shape;
      this.level = shape.movableLevel();
      this.update = c.prepareStatement(MOVE);
    }

    long root(int rep) {
      return shape.nth(level, rep * 37L);
    }

    /**
     * The next node on the parent's level: a group for a group, a group for a project, a project or
     * subproject for a subproject. Level 1 has only the root above it: a sibling then.
     */
    long newParent(long root) {
      int onLevel = level >= 2 ? level - 1 : level;
      long beside = level >= 2 ? TreeShape.parent(root) : root;
      return shape.nth(onLevel, beside - TreeShape.firstId(onLevel) + 1);
    }

    @Override
    public void run(int rep) throws SQLException {
      c.setAutoCommit(false);
      long root = root(rep);
      update.setLong(1, newParent(root));
      update.setLong(2, root);
      if (update.executeUpdate() != 1) {
        throw new IllegalStateException("node " + root + " did not move");
      }
    }

    @Override
    public void undo() throws SQLException {
      c.rollback();
      c.setAutoCommit(true);
    }

    /** One move, checked before it is rolled back, so the timed moves are known to cascade. */
    void checkCascade() throws SQLException {
      run(0);
      try (PreparedStatement check = c.prepareStatement(MOVED)) {
        check.setLong(1, root(0));
        check.setLong(2, newParent(root(0)));
        try (ResultSet row = check.executeQuery()) {
          row.next();
          if (!row.getBoolean(1) || row.getLong(2) != shape.subtreeSize(level)) {
            throw new IllegalStateException(
                "the move of node " + root(0) + " did not re-path its subtree");
          }
        }
      } finally {
        undo();
      }
    }

    @Override
    public void close() throws SQLException {
      update.close();
    }
  }

  /** Prints the figures, the targets with PASS/FAIL, and the plans PostgreSQL chose. */
  static final class Report {

    private Report() {}

    static void print(TreeShape shape, Results r) {
      long subtree = shape.subtreeSize(shape.movableLevel());
      System.out.printf(
          Locale.ROOT,
          "%nFigures (ms)%n  %-58s %6s %9s %9s %9s%n",
          "",
          "runs",
          "median",
          "p95",
          "max");
      line(
          String.format(Locale.ROOT, "a. subtree of %,d nodes, ltree <@ (GiST)", subtree),
          r.subtreeLtree());
      line(
          String.format(Locale.ROOT, "a. subtree of %,d nodes, recursive CTE", subtree),
          r.subtreeCte());
      ratio("a. speed-up of ltree over the CTE (medians)", r.subtreeCte(), r.subtreeLtree());
      line("   inside PostgreSQL only (EXPLAIN ANALYZE): ltree", r.subtreeLtreeServer());
      line("   inside PostgreSQL only (EXPLAIN ANALYZE): recursive CTE", r.subtreeCteServer());
      ratio("   inside PostgreSQL only: speed-up", r.subtreeCteServer(), r.subtreeLtreeServer());
      line(
          String.format(
              Locale.ROOT, "b. ancestors of a level-%d node, ltree @> (GiST)", shape.depth()),
          r.ancestorsLtree());
      line(
          String.format(
              Locale.ROOT, "b. ancestors of a level-%d node, recursive CTE", shape.depth()),
          r.ancestorsCte());
      ratio("b. speed-up of ltree over the CTE (medians)", r.ancestorsCte(), r.ancestorsLtree());
      line(
          "c. RoleRepository.effectiveRole at a level-" + shape.depth() + " node",
          r.effectiveRole());
      line("   for scale: one JDBC round trip (SELECT 1)", r.roundTrip());
      line(
          String.format(
              Locale.ROOT, "d. move of %,d nodes (UPDATE parent_id, rolled back)", subtree),
          r.move());
      printTargets(subtree, r);
    }

    private static void printTargets(long subtree, Results r) {
      double speedUp = r.subtreeCte().median() / r.subtreeLtree().median();
      List<Boolean> met = new ArrayList<>();
      System.out.printf(Locale.ROOT, "%nTargets%n");
      met.add(
          target(
              speedUp >= SUBTREE_SPEED_UP_TARGET,
              String.format(
                  Locale.ROOT,
                  "subtree read: ltree at least %.0fx faster than the CTE",
                  SUBTREE_SPEED_UP_TARGET),
              "%.1fx",
              speedUp));
      met.add(
          target(
              r.effectiveRole().median() < ROLE_CHECK_TARGET_MS,
              String.format(
                  Locale.ROOT, "effective-role check: median under %.0f ms", ROLE_CHECK_TARGET_MS),
              "%.3f ms",
              r.effectiveRole().median()));
      met.add(
          target(
              r.move().median() < MOVE_TARGET_MS,
              String.format(
                  Locale.ROOT, "move of %,d nodes: median under %.0f ms", subtree, MOVE_TARGET_MS),
              "%.1f ms",
              r.move().median()));
      long passed = met.stream().filter(Boolean::booleanValue).count();
      System.out.printf(
          Locale.ROOT,
          "  VERDICT: %s, %d of %d targets met%n",
          passed == met.size() ? "ALL PASS" : "TARGETS MISSED",
          passed,
          met.size());
    }

    private static boolean target(boolean met, String what, String format, double measured) {
      System.out.printf(
          Locale.ROOT,
          "  %-4s  %-56s measured %s%n",
          met ? "PASS" : "FAIL",
          what,
          String.format(Locale.ROOT, format, measured));
      return met;
    }

    private static void line(String what, Stats s) {
      System.out.printf(
          Locale.ROOT,
          "  %-58s %6d %9.3f %9.3f %9.3f%n",
          what,
          s.runs(),
          s.median(),
          s.p95(),
          s.max());
    }

    private static void ratio(String what, Stats slow, Stats fast) {
      System.out.printf(
          Locale.ROOT, "  %-58s %6s %8.1fx%n", what, "", slow.median() / fast.median());
    }

    /** The plans behind the figures, so that a surprising figure can be explained. */
    static void printPlans(Connection c, TreeShape shape) throws SQLException {
      long subtreeRoot = shape.nth(shape.movableLevel(), 0);
      long leaf = shape.nth(shape.depth(), 0);
      System.out.printf(Locale.ROOT, "%nPlans%n");
      plan(c, "a. ltree", SUBTREE_LTREE, subtreeRoot);
      plan(c, "a. recursive CTE", SUBTREE_CTE, subtreeRoot);
      plan(c, "b. ltree", ANCESTORS_LTREE, leaf);
      plan(c, "b. recursive CTE", ANCESTORS_CTE, leaf);
    }

    private static void plan(Connection c, String what, String sql, long id) throws SQLException {
      System.out.println("  " + what);
      try (PreparedStatement explain = c.prepareStatement("EXPLAIN (COSTS OFF) " + sql)) {
        explain.setLong(1, id);
        try (ResultSet lines = explain.executeQuery()) {
          while (lines.next()) {
            System.out.println("    " + lines.getString(1));
          }
        }
      }
    }
  }
}
