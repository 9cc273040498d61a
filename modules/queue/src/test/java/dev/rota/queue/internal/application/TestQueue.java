package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.queue.internal.persistence.CapacityRepository;
import dev.rota.queue.internal.persistence.CapacityRepository.ClusterNodeRow;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import dev.rota.queue.internal.persistence.TaskRepository;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One test's own queue data: a pool of its own with its nodes, a tenancy tree of its own, and the
 * cluster's usual PriorityClasses (shared, never removed); all else removed by {@link #close()}.
 */
final class TestQueue implements AutoCloseable {

  static final String ACTOR = "test-seeder";

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
      VALUES ('project', ?, ?, ?, ?, ?)             -- 1 parent, 2 name, 3 label, 4 guarantee, 5 limit
      RETURNING id
      """;

  private static final String DELETE =
      """
      DELETE FROM queue.tasks WHERE pool = ?;                      -- 1 the test's pool
      """;

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final CapacityRepository capacity = new CapacityRepository();
  private final TaskRepository tasks = new TaskRepository();
  private final List<Long> roots = new ArrayList<>();
  private final List<String> nodes = new ArrayList<>();
  final String pool = "p" + unique();

  TestQueue() {
    transactions.write(
        ACTOR,
        c -> {
          capacity.upsert(c, new PriorityClassRow("rota-low", 100, "PreemptLowerPriority", false));
          capacity.upsert(
              c, new PriorityClassRow("rota-normal", 1000, "PreemptLowerPriority", true));
          capacity.upsert(
              c, new PriorityClassRow("rota-high", 10000, "PreemptLowerPriority", false));
          capacity.upsert(c, new PriorityClassRow("rota-batch-never", 500, "Never", false));
          return null;
        });
  }

  Transactions transactions() {
    return transactions;
  }

  static String unique() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /** A Ready, schedulable node of the test's pool. */
  String node(int gpus) {
    return node(gpus, true, false);
  }

  String node(int gpus, boolean ready, boolean cordoned) {
    String name = pool + "-n" + nodes.size();
    transactions.write(
        ACTOR,
        c -> {
          capacity.upsert(c, new ClusterNodeRow(name, pool, gpus, ready, cordoned, 0));
          return null;
        });
    nodes.add(name);
    return name;
  }

  long root(int guaranteed, Integer limit) {
    String label = "q" + unique();
    long id = insert(ROOT, label, label, guaranteed, limit);
    roots.add(id);
    return id;
  }

  /** A project, without guarantee or limit, under a top-level group of its own. */
  long project() {
    return child(root(0, null), 0, null);
  }

  /** A project under {@code parent}. */
  long child(long parent, int guaranteed, Integer limit) {
    String label = "c" + unique();
    return transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement insert = c.prepareStatement(CHILD)) {
            insert.setLong(1, parent);
            insert.setString(2, label);
            insert.setString(3, label);
            insert.setInt(4, guaranteed);
            dev.rota.platform.NullableParameters.setInt(insert, 5, limit);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  private long insert(String sql, String name, String label, int guaranteed, Integer limit) {
    return transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement insert = c.prepareStatement(sql)) {
            insert.setString(1, name);
            insert.setString(2, label);
            insert.setInt(3, guaranteed);
            dev.rota.platform.NullableParameters.setInt(insert, 4, limit);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  long submit(long node, int replicas, int gpusPerReplica, String priorityClass) {
    return transactions.write(
        "submitter",
        c ->
            tasks
                .submit(
                    c,
                    new Submission(
                        node,
                        pool,
                        replicas,
                        gpusPerReplica,
                        priorityClass,
                        "{\"image\":\"busybox\"}",
                        null,
                        null,
                        "submitter",
                        null))
                .orElseThrow());
  }

  TaskRow task(long id) {
    return transactions.read(c -> tasks.find(c, id).orElseThrow());
  }

  /** GPUs held on a node, as the trigger keeps them. */
  int held(String node) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT held_gpus FROM queue.cluster_nodes WHERE name = ?")) { // 1 node
            select.setString(1, node);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getInt(1);
            }
          }
        });
  }

  /** The nodes a task's replicas were placed on, by replica. */
  List<String> placements(long task) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT node_name FROM queue.placements WHERE task_id = ? ORDER BY replica")) {
            select.setLong(1, task); // 1 task id
            List<String> names = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                names.add(row.getString(1));
              }
            }
            return names;
          }
        });
  }

  @Override
  public void close() {
    transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement delete = c.prepareStatement(DELETE)) {
            delete.setString(1, pool);
            delete.executeUpdate();
          }
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM queue.cluster_nodes WHERE pool = ?")) {
            delete.setString(1, pool); // 1 the test's pool
            delete.executeUpdate();
          }
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM tenancy.nodes n USING tenancy.nodes top"
                      + " WHERE top.id = ANY (?) AND n.path <@ top.path")) {
            delete.setArray(1, c.createArrayOf("bigint", roots.toArray())); // 1 the test's roots
            delete.executeUpdate();
          }
          return null;
        });
  }
}
