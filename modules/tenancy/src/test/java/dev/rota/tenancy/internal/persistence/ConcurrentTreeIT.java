package dev.rota.tenancy.internal.persistence;

import static dev.rota.tenancy.internal.persistence.TestTenancy.constraintOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.tenancy.NodeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tree's rules under real concurrent transactions: paths stay equal to the parent chain while
 * subtrees move under racing creates, crossed moves cannot make a cycle, and racing creates cannot
 * guarantee more GPUs than their parent.
 */
class ConcurrentTreeIT {

  /**
   * Walks the tree from a root by parent ids alone and counts its nodes, the nodes whose stored
   * path differs from the labels along that chain, and the nodes whose path claims the root.
   */
  private static final String CHAIN_CHECK =
      """
      WITH RECURSIVE chain AS (
        SELECT id, path, text2ltree(label) AS expected, 1 AS depth
          FROM tenancy.nodes WHERE id = ?                              -- 1 the root
        UNION ALL
        SELECT n.id, n.path, c.expected || text2ltree(n.label), c.depth + 1
          FROM tenancy.nodes n JOIN chain c ON n.parent_id = c.id
         WHERE c.depth < 100)
      SELECT (SELECT count(*) FROM chain),
             (SELECT count(*) FROM chain WHERE path <> expected),
             (SELECT count(*) FROM tenancy.nodes
               WHERE path <@ (SELECT path FROM tenancy.nodes WHERE id = ?)) -- 2 the root again
      """;

  private final TestTenancy tenancy = new TestTenancy();
  private final Transactions transactions = tenancy.transactions();
  private final NodeRepository nodes = new NodeRepository();
  private final ExecutorService executor = Executors.newFixedThreadPool(20);

  @AfterEach
  void clean_up() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    tenancy.close();
  }

  @Test
  void creates_racing_with_moves_and_renames_of_their_ancestor_keep_every_path_right()
      throws Exception {
    NodeRow root = tenancy.root(0);
    NodeRow left = tenancy.child(root, NodeKind.GROUP, "left");
    NodeRow right = tenancy.child(root, NodeKind.GROUP, "right");
    NodeRow moving = tenancy.child(left, NodeKind.PROJECT, "moving");
    NodeRow middle = tenancy.child(moving, NodeKind.SUBPROJECT, "middle");
    NodeRow deep = tenancy.child(middle, NodeKind.SUBPROJECT, "deep");
    List<Long> inside = new CopyOnWriteArrayList<>(List.of(moving.id(), middle.id(), deep.id()));
    int moves = 150;
    int creators = 4;
    int createsEach = 50;
    CountDownLatch start = new CountDownLatch(1);

    List<Future<Integer>> work = new ArrayList<>();
    work.add(
        executor.submit(
            () -> {
              start.await();
              for (int i = 1; i <= moves; i++) {
                long to = i % 2 == 1 ? right.id() : left.id();
                transactions.write("mover", c -> nodes.move(c, moving.id(), to).orElseThrow());
              }
              return moves;
            }));
    work.add(
        executor.submit(
            () -> {
              start.await();
              for (int i = 1; i <= moves; i++) {
                String label = i % 2 == 1 ? "moving_b" : "moving";
                transactions.write(
                    "renamer", c -> nodes.rename(c, moving.id(), label, label).orElseThrow());
              }
              return moves;
            }));
    for (int t = 0; t < creators; t++) {
      int creator = t;
      work.add(
          executor.submit(
              () -> {
                start.await();
                for (int i = 0; i < createsEach; i++) {
                  long parent = inside.get(ThreadLocalRandom.current().nextInt(inside.size()));
                  String label = "c" + creator + "_" + i;
                  NodeRow created =
                      transactions.write(
                          "creator",
                          c -> nodes.insert(c, NodeKind.SUBPROJECT, parent, label, label, 0, null));
                  inside.add(created.id());
                }
                return createsEach;
              }));
    }
    start.countDown();
    for (Future<Integer> done : work) {
      done.get(120, TimeUnit.SECONDS); // rethrows any failed move, rename or create
    }

    long[] check = chainCheck(root.id());
    assertThat(check[0]).as("nodes reached from the root").isEqualTo(6 + creators * createsEach);
    assertThat(check[1]).as("nodes whose path is not their parent chain").isZero();
    assertThat(check[2]).as("nodes whose path claims the root").isEqualTo(check[0]);
    assertThat(tenancy.reload(moving).path()).isEqualTo(root.label() + ".left.moving");
    assertThat(tenancy.reload(deep).path()).isEqualTo(root.label() + ".left.moving.middle.deep");
  }

  /**
   * A rename (or move) of a node inside a subtree that is being moved: the rename locks its row,
   * then waits for the tree's shape lock, which the move holds while it re-paths that same row. The
   * shape lock is taken in a row trigger, after the row lock, so the two deadlock; PostgreSQL
   * aborts one after deadlock_timeout and only the retries in Transactions hide it, until they run
   * out under load. Taking the shape lock before any row is locked (a BEFORE ... FOR EACH STATEMENT
   * trigger on UPDATE OF parent_id, label) removes the deadlock.
   */
  @Test
  void a_rename_inside_a_moving_subtree_waits_for_the_move_instead_of_deadlocking()
      throws Exception {
    NodeRow root = tenancy.root(0);
    NodeRow left = tenancy.child(root, NodeKind.GROUP, "left");
    NodeRow right = tenancy.child(root, NodeKind.GROUP, "right");
    NodeRow moving = tenancy.child(left, NodeKind.PROJECT, "moving");
    NodeRow middle = tenancy.child(moving, NodeKind.SUBPROJECT, "middle");
    DataSource dataSource = tenancy.dataSource();
    try (Connection holder = dataSource.getConnection();
        Connection mover = dataSource.getConnection();
        Connection renamer = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (Statement lock = holder.createStatement()) {
        lock.execute("SELECT pg_advisory_xact_lock(tenancy.tree_shape_lock_key())");
      }

      Future<Throwable> move =
          executor.submit(
              () -> inOwnTransaction(mover, c -> nodes.move(c, moving.id(), right.id())));
      awaitShapeLockWaiters(holder, 1);
      Future<Throwable> rename =
          executor.submit(
              () ->
                  inOwnTransaction(
                      renamer, c -> nodes.rename(c, middle.id(), "middle b", "middle_b")));
      awaitShapeLockWaiters(holder, 2);
      holder.commit();

      assertThat(move.get(30, TimeUnit.SECONDS)).as("the move").isNull();
      assertThat(rename.get(30, TimeUnit.SECONDS)).as("the rename").isNull();
    }
    assertThat(tenancy.reload(middle).path()).isEqualTo(root.label() + ".right.moving.middle_b");
  }

  @Test
  void crossed_moves_of_two_nodes_under_each_other_let_exactly_one_win() throws Exception {
    NodeRow root = tenancy.root(0);
    for (int round = 0; round < 20; round++) {
      NodeRow a = tenancy.child(root, NodeKind.GROUP, "a" + round);
      NodeRow b = tenancy.child(root, NodeKind.GROUP, "b" + round);
      CountDownLatch bothOpen = new CountDownLatch(2);

      List<Future<Throwable>> moves =
          List.of(
              executor.submit(moveInRace(a, b, bothOpen)),
              executor.submit(moveInRace(b, a, bothOpen)));

      List<Throwable> refusals = new ArrayList<>();
      for (Future<Throwable> move : moves) {
        Throwable refusal = move.get(30, TimeUnit.SECONDS);
        if (refusal != null) {
          refusals.add(refusal);
        }
      }
      assertThat(refusals).as("round %d: the losers", round).hasSize(1);
      assertThat(refusals.get(0)).isInstanceOf(DatabaseFailure.class);
      assertThat(constraintOf(refusals.get(0))).isEqualTo("nodes_no_cycle");
      NodeRow aNow = tenancy.reload(a);
      NodeRow bNow = tenancy.reload(b);
      assertThat(aNow.parentId().equals(b.id()) ^ bNow.parentId().equals(a.id()))
          .as(
              "round %d: exactly one is under the other (a under %d, b under %d)",
              round, aNow.parentId(), bNow.parentId())
          .isTrue();
    }

    long[] check = chainCheck(root.id());
    assertThat(check[0]).as("nodes reached from the root, so none is in a cycle").isEqualTo(41);
    assertThat(check[1]).isZero();
    assertThat(check[2]).isEqualTo(41);
  }

  @Test
  void racing_creates_never_guarantee_more_gpus_than_their_parent() throws Exception {
    NodeRow root = tenancy.root(10);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "ten gpus", 10, null);
    int racers = 20;
    CountDownLatch allOpen = new CountDownLatch(racers);

    List<Future<Throwable>> creates = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      String label = "one_gpu_" + i;
      Callable<Throwable> create =
          () ->
              catchThrowable(
                  () ->
                      transactions.write(
                          "racer",
                          c -> {
                            arrive(allOpen);
                            return nodes.insert(
                                c, NodeKind.SUBPROJECT, project.id(), label, label, 1, null);
                          }));
      creates.add(executor.submit(create));
    }
    List<Throwable> refusals = new ArrayList<>();
    for (Future<Throwable> create : creates) {
      Throwable refusal = create.get(60, TimeUnit.SECONDS);
      if (refusal != null) {
        refusals.add(refusal);
      }
    }

    assertThat(refusals).hasSize(racers - 10);
    assertThat(refusals)
        .allSatisfy(
            refusal -> {
              assertThat(refusal).isInstanceOf(DatabaseFailure.class);
              assertThat(constraintOf(refusal)).isEqualTo("nodes_guarantees_within_parent");
            });
    assertThat(childrenGuarantee(project.id())).isEqualTo(10);

    Throwable lowering =
        catchThrowable(
            () -> transactions.write("admin", c -> nodes.setQuota(c, project.id(), 9, null)));
    assertThat(lowering).isInstanceOf(DatabaseFailure.class);
    assertThat(constraintOf(lowering)).isEqualTo("nodes_guarantees_cover_children");
    assertThat(tenancy.reload(project).guaranteedGpus()).isEqualTo(10);
  }

  /** Moves {@code node} under {@code parent} once both racing transactions are open. */
  private Callable<Throwable> moveInRace(NodeRow node, NodeRow parent, CountDownLatch bothOpen) {
    return () ->
        catchThrowable(
            () ->
                transactions.write(
                    "crossed-mover",
                    c -> {
                      arrive(bothOpen);
                      return nodes.move(c, node.id(), parent.id()).orElseThrow();
                    }));
  }

  /**
   * Runs the work in a transaction of its own on the connection; returns what it threw, if
   * anything.
   */
  private static Throwable inOwnTransaction(Connection connection, Transactions.Work<?> work) {
    return catchThrowable(
        () -> {
          connection.setAutoCommit(false);
          try {
            work.run(connection);
            connection.commit();
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          }
        });
  }

  /** Waits until {@code count} transactions queue for the tree's shape lock. */
  private static void awaitShapeLockWaiters(Connection observer, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Statement query = observer.createStatement();
          ResultSet row =
              query.executeQuery(
                  """
                  SELECT count(*) FROM pg_locks
                   WHERE locktype = 'advisory' AND NOT granted
                     AND (classid::bigint << 32) | objid::bigint = tenancy.tree_shape_lock_key()
                  """)) {
        row.next();
        if (row.getLong(1) >= count) {
          return;
        }
      }
      assertThat(System.nanoTime()).as("waiters on the shape lock").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** Counts down and waits for the others, so that every racer's transaction is open at once. */
  private static void arrive(CountDownLatch latch) {
    latch.countDown();
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).as("all racers arrived").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private long[] chainCheck(long rootId) {
    return transactions.read(
        c -> {
          try (PreparedStatement query = c.prepareStatement(CHAIN_CHECK)) {
            query.setLong(1, rootId);
            query.setLong(2, rootId);
            try (ResultSet row = query.executeQuery()) {
              row.next();
              return new long[] {row.getLong(1), row.getLong(2), row.getLong(3)};
            }
          }
        });
  }

  private long childrenGuarantee(long parentId) {
    return transactions.read(
        c -> {
          try (PreparedStatement query =
              c.prepareStatement(
                  "SELECT COALESCE(sum(guaranteed_gpus), 0) FROM tenancy.nodes WHERE parent_id"
                      + " = ?")) {
            query.setLong(1, parentId); // 1 the parent
            try (ResultSet row = query.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }
}
