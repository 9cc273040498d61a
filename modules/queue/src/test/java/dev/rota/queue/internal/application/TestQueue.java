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
import java.time.Duration;
import java.time.Instant;
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

  private static final String VOLUME =
      """
      INSERT INTO storage.volumes (name, owner_party_id, pool, pool_root, host_path, capacity_bytes,
                                   access_mode, node_affinity, node_names)
      VALUES (?, ?, ?, '/data/rota', ?, 1024, 'ReadWriteOnce',   -- 1 name, 2 owner, 3 pool, 4 path
              '{"nodeSelectorTerms":[{"matchExpressions":[]}]}', ?) -- 5 nodes
      RETURNING id
      """;

  private static final String DELETE_ATTACHMENTS =
      """
      DELETE FROM storage.attachments a USING storage.volumes v
       WHERE v.id = a.volume_id AND v.pool = ANY (?::text[])            -- 1 the test's pools
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
  private final List<String> volumePools = new ArrayList<>();
  private final List<Long> calendars = new ArrayList<>();
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
          capacity.upsert(
              c, new PriorityClassRow("rota-urgent", 100000, "PreemptLowerPriority", false));
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

  /**
   * A task of one GPU per replica that runs at most {@code maxRuntime} (or without limit) on {@code
   * nodeNames} (or anywhere in the pool), as the service would store it.
   */
  long submit(
      long node, int replicas, int gpusPerReplica, Duration maxRuntime, List<String> nodeNames) {
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
                        "rota-normal",
                        "{\"container\":{\"image\":\"busybox\"},\"volumes\":[]}",
                        null,
                        maxRuntime,
                        "submitter",
                        null),
                    nodeNames)
                .orElseThrow());
  }

  /** The party of a top-level group made by {@link #root}. */
  long partyOf(long root) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement("SELECT party_id FROM tenancy.nodes WHERE id = ?")) {
            select.setLong(1, root); // 1 node
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** A hostPath volume of {@code owner} in {@code volumePool} on the given cluster nodes. */
  long volume(long owner, String volumePool, List<String> nodeNames) {
    String name = "v" + unique();
    return transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement root =
              c.prepareStatement(
                  "INSERT INTO storage.pool_roots (pool, root) VALUES (?, '/data/rota')"
                      + " ON CONFLICT DO NOTHING")) {
            root.setString(1, volumePool); // 1 pool
            root.executeUpdate();
          }
          volumePools.add(volumePool);
          try (PreparedStatement insert = c.prepareStatement(VOLUME)) {
            insert.setString(1, name);
            insert.setLong(2, owner);
            insert.setString(3, volumePool);
            insert.setString(4, "/data/rota/" + name);
            insert.setArray(5, c.createArrayOf("text", nodeNames.toArray()));
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** Attaches the volume to a project. */
  void attach(long volume, long node) {
    transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO storage.attachments (volume_id, node_id) VALUES (?, ?)")) {
            insert.setLong(1, volume); // 1 volume
            insert.setLong(2, node); // 2 project
            return insert.executeUpdate();
          }
        });
  }

  /** How many tasks the test's pool has. */
  int taskCount() {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement("SELECT count(*) FROM queue.tasks WHERE pool = ?")) {
            select.setString(1, pool); // 1 pool
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getInt(1);
            }
          }
        });
  }

  /** A task's stored spec and node set, as text. */
  String specAndNodes(long task) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT spec::text || ' ' || COALESCE(node_names::text, 'null')"
                      + " FROM queue.tasks WHERE id = ?")) {
            select.setLong(1, task); // 1 task
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getString(1);
            }
          }
        });
  }

  /** A calendar for the test's pool, on UTC, with its windows removed by {@link #close()}. */
  long calendar() {
    long id =
        transactions.write(
            ACTOR,
            c -> {
              try (PreparedStatement insert =
                  c.prepareStatement(
                      "INSERT INTO scheduling.calendars (kind, name, time_zone)"
                          + " VALUES ('pool', ?, 'UTC') RETURNING id")) {
                insert.setString(1, pool); // 1 pool
                try (ResultSet row = insert.executeQuery()) {
                  row.next();
                  return row.getLong(1);
                }
              }
            });
    calendars.add(id);
    return id;
  }

  /** A one-off window: maintenance when {@code owner} is null, else a reservation for it. */
  long window(long calendar, Long owner, Instant from, Instant to) {
    return transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  INSERT INTO scheduling.windows (calendar_id, kind, owner_node_id, effective)
                  VALUES (?, ?::scheduling.window_kind, ?, tstzrange(?, ?))
                  RETURNING id
                  """)) { // 1 calendar, 2 kind, 3 owner or null, 4 from, 5 to
            insert.setLong(1, calendar);
            insert.setString(2, owner == null ? "maintenance" : "reservation");
            insert.setObject(3, owner);
            insert.setObject(4, java.time.OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
            insert.setObject(5, java.time.OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC));
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
              c.prepareStatement("DELETE FROM scheduling.calendars WHERE id = ANY (?)")) {
            delete.setArray(1, c.createArrayOf("bigint", calendars.toArray())); // 1 calendars
            delete.executeUpdate();
          }
          try (PreparedStatement delete = c.prepareStatement(DELETE_ATTACHMENTS)) {
            delete.setArray(1, c.createArrayOf("text", volumePools.toArray()));
            delete.executeUpdate();
          }
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM storage.volumes WHERE pool = ANY (?::text[])")) {
            delete.setArray(1, c.createArrayOf("text", volumePools.toArray())); // 1 pools
            delete.executeUpdate();
          }
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM storage.pool_roots WHERE pool = ANY (?::text[])")) {
            delete.setArray(1, c.createArrayOf("text", volumePools.toArray())); // 1 pools
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
