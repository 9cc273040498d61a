package dev.rota.it.bench;

import dev.rota.platform.Caller;
import dev.rota.platform.Outbox;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.internal.reconcile.InstallationProducer;
import dev.rota.platform.internal.reconcile.OutboxWorker;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.application.AuthorizationService;
import dev.rota.tenancy.internal.application.NamespaceReconciler;
import dev.rota.tenancy.internal.application.RoleService;
import dev.rota.tenancy.internal.application.RoleService.PartyRef;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The controller loop at the scale of a large group: 1,000 projects under one group. Times binding
 * a role at the group (the request: its transaction writes the binding and enqueues 1,000
 * namespaces), then how fast the loop's workers converge the cluster (fabric8's CRUD mock server
 * in-process) against reconciling the same namespaces with direct API calls, one after another, as
 * requests used to. A plain {@code main} run by the {@code bench} profile of it/pom.xml; {@code
 * -Drota.bench.namespaces=N} sets the size.
 */
public final class ControllerBenchmark {

  static final double BIND_TARGET_MS = 100.0;

  public static void main(String[] args) throws Exception {
    int namespaces = Integer.getInteger("rota.bench.namespaces", 1000);
    int threads = Integer.getInteger("rota.bench.workers", 4);
    TestDatabase database = TestDatabase.get();
    Transactions transactions =
        new Transactions(TestDatabase.perThreadConnections(database.dataSource()));
    try (SimulatedCluster cluster = SimulatedCluster.start(4, 8, List.of("pool-a"))) {
      NamespaceReconciler reconciler = new NamespaceReconciler();
      setField(reconciler, "kubernetes", cluster.client());
      setField(reconciler, "transactions", transactions);
      setField(reconciler, "outbox", new Outbox());
      setField(reconciler, "installation", InstallationProducer.read(transactions));
      RoleService roles = new RoleService();
      setField(roles, "transactions", transactions);
      setField(roles, "authorization", new AuthorizationService());
      setField(roles, "namespaces", reconciler);
      OutboxWorker worker =
          new OutboxWorker(
              transactions,
              List.of(reconciler),
              new OutboxWorker.Settings(
                  Duration.ofSeconds(60), 20, Duration.ofMillis(100), Duration.ofSeconds(5)),
              OutboxWorker.Observer.NONE);

      long started = System.nanoTime();
      NodeRow group = seed(transactions, namespaces);
      System.out.printf(
          Locale.ROOT,
          "Seeded a group with %,d projects and 2 users in %.1f s%n",
          namespaces,
          seconds(started));

      double loopCreate = converge(worker, threads, transactions, reconciler, group, namespaces);
      System.out.printf(
          Locale.ROOT,
          "Loop, %d workers, creating namespaces + quotas: %,.0f namespaces/s%n",
          threads,
          loopCreate);

      Caller admin = new Caller("bench-admin", "bench-admin", "bench", Set.of(), true);
      double[] bind = new double[20];
      for (int i = 0; i < bind.length; i++) {
        String user = i % 2 == 0 ? "bench-alice" : "bench-bob";
        long t = System.nanoTime();
        roles.bind(admin, group.id(), new PartyRef(user, null), Role.VIEWER);
        bind[i] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(bind);
      double median = bind[bind.length / 2];
      System.out.printf(
          Locale.ROOT,
          "Bind a role at the group over %,d namespaces: median %.1f ms, max %.1f ms (target <"
              + " %.0f ms) %s%n",
          namespaces,
          median,
          bind[bind.length - 1],
          BIND_TARGET_MS,
          median < BIND_TARGET_MS ? "PASS" : "FAIL");

      long t = System.nanoTime();
      while (depth(transactions) > 0) {
        drainInParallel(worker, threads);
      }
      double loop = namespaces / seconds(t);
      System.out.printf(
          Locale.ROOT,
          "Loop, %d workers: converged %,d namespaces (namespace, quota, 2 role bindings each) in"
              + " %.1f s = %,.0f namespaces/s%n",
          threads,
          namespaces,
          seconds(t),
          loop);

      List<String> keys =
          transactions.read(c -> new NodeRepository().namespaced(c, group.id())).stream()
              .map(n -> String.valueOf(n.id()))
              .toList();
      t = System.nanoTime();
      for (String key : keys) {
        reconciler.reconcile(key);
      }
      double direct = keys.size() / seconds(t);
      System.out.printf(
          Locale.ROOT,
          "Direct API calls, one after another (the old request path): %,d namespaces in %.1f s ="
              + " %,.0f namespaces/s%n",
          keys.size(),
          seconds(t),
          direct);
      System.out.printf(Locale.ROOT, "Loop vs direct: %.1fx%n", loop / direct);
    }
    System.exit(0);
  }

  private static double converge(
      OutboxWorker worker,
      int threads,
      Transactions transactions,
      NamespaceReconciler reconciler,
      NodeRow group,
      int namespaces)
      throws Exception {
    transactions.write(
        "bench",
        c -> {
          reconciler.enqueueSubtree(c, group.id());
          return null;
        });
    long t = System.nanoTime();
    while (depth(transactions) > 0) {
      drainInParallel(worker, threads);
    }
    return namespaces / seconds(t);
  }

  private static void drainInParallel(OutboxWorker worker, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> done = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      done.add(pool.submit(worker::drain));
    }
    for (Future<Integer> one : done) {
      one.get();
    }
    pool.shutdown();
  }

  private static long depth(Transactions transactions) {
    return transactions.read(
        c -> {
          try (PreparedStatement count =
                  c.prepareStatement(
                      "SELECT count(*) FROM platform.reconcile_outbox WHERE kind = '"
                          + NamespaceReconciler.KIND
                          + "'");
              ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
          }
        });
  }

  private static NodeRow seed(Transactions transactions, int namespaces) {
    NodeRepository nodes = new NodeRepository();
    PartyRepository parties = new PartyRepository();
    return transactions.write(
        "bench",
        c -> {
          parties.createUser(c, "bench-alice", "Alice");
          parties.createUser(c, "bench-bob", "Bob");
          NodeRow group = nodes.insert(c, NodeKind.GROUP, null, "Bench", "bench", 0, null);
          for (int i = 0; i < namespaces; i++) {
            nodes.insert(c, NodeKind.PROJECT, group.id(), "P" + i, "p" + i, 0, 1);
          }
          return group;
        });
  }

  private static void setField(Object target, String name, Object value) throws Exception {
    var field = target.getClass().getDeclaredField(name);
    field.setAccessible(true);
    field.set(target, value);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
