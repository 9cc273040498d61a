package dev.rota.storage.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.Race;
import dev.rota.platform.testing.TestDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storage rules as the database enforces them, for any writer, also under races. */
class VolumeRulesIT {

  private static final String AFFINITY = "{\"nodeSelectorTerms\":[{\"matchExpressions\":[]}]}";

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final VolumeRepository volumes = new VolumeRepository();
  private final String root = "/data/" + UUID.randomUUID().toString().substring(0, 8);
  private final String pool = "pool-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void a_pool_with_a_root() {
    transactions.write(
        "test",
        c -> {
          volumes.setPoolRoot(c, pool, root);
          return null;
        });
  }

  @Test
  void twenty_owners_racing_for_overlapping_paths_on_one_node_leave_exactly_one_winner() {
    List<Long> owners = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      owners.add(StorageFixtures.newParty(transactions, "user"));
    }

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            20,
            (i, c) -> {
              String path = root + "/shared" + "/sub".repeat(i % 3); // each a prefix of another
              volumes.insert(
                  c, "v", owners.get(i), pool, path, 1024, "ReadWriteOnce", AFFINITY, nodes("n1"));
            });

    assertThat(outcome.winners()).isEqualTo(1);
    assertThat(outcome.refusedBy()).hasSize(19).containsOnly("placements_no_overlap");
  }

  @Test
  void one_owner_racing_with_itself_for_nested_paths_leaves_exactly_one_winner() {
    long owner = StorageFixtures.newParty(transactions, "user");

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            20,
            (i, c) ->
                volumes.insert(
                    c,
                    "nested-" + i,
                    owner,
                    pool,
                    root + "/mine" + "/deeper".repeat(i % 4),
                    1024,
                    "ReadWriteOnce",
                    AFFINITY,
                    nodes("n1")));

    assertThat(outcome.winners()).isEqualTo(1);
    assertThat(outcome.refusedBy()).hasSize(19).containsOnly("placements_no_overlap");
  }

  @Test
  void one_owners_volumes_never_nest_and_other_nodes_and_siblings_are_independent() {
    long owner = StorageFixtures.newParty(transactions, "user");
    long rival = StorageFixtures.newParty(transactions, "user");

    insert(owner, "outer", root + "/team", nodes("gpu-node-01", "gpu-node-02"));
    insert(rival, "elsewhere", root + "/team/ds", nodes("gpu-node-03"));
    insert(rival, "sibling", root + "/team-b", nodes("gpu-node-01"));
    insert(owner, "prefix-not-at-a-boundary", root + "/tea", nodes("gpu-node-01"));

    for (String nested : List.of(root + "/team/ds", root + "/team", root)) {
      assertThat(
              StorageFixtures.constraintOf(
                  catchThrowable(() -> insert(owner, "inner", nested, nodes("gpu-node-02")))))
          .as(nested)
          .isEqualTo(nested.equals(root) ? "volumes_under_pool_root" : "placements_no_overlap");
    }
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(
                    () -> insert(rival, "inside", root + "/team/x", nodes("gpu-node-01")))))
        .isEqualTo("placements_no_overlap");
  }

  @Test
  void a_path_of_4095_random_bytes_is_stored_and_still_checked_for_overlaps() {
    long owner = StorageFixtures.newParty(transactions, "user");
    String longest = randomPath(root + "/long", 4095, 255);
    String deepest = randomPath(root + "/deep", 4095, 1);

    insert(owner, "longest", longest, nodes("n1", "n2"));
    insert(owner, "deepest", deepest, nodes("n1"));

    assertThat(longest).hasSize(4095);
    assertThat(deepest).hasSize(4095);
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(
                    () ->
                        insert(
                            owner,
                            "above",
                            longest.substring(0, longest.indexOf('/', 2000)),
                            nodes("n2")))))
        .isEqualTo("placements_no_overlap");
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "upper", root + "/deep", nodes("n1")))))
        .isEqualTo("placements_no_overlap");
  }

  @Test
  void paths_over_path_max_or_with_segments_over_name_max_are_refused_by_the_database() {
    long owner = StorageFixtures.newParty(transactions, "user");

    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "a", randomPath(root, 4096, 200), nodes("n1")))))
        .isEqualTo("volumes_host_path_max_length");
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "b", randomPath(root, 5000, 200), nodes("n1")))))
        .isEqualTo("volumes_host_path_max_length");
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(
                    () -> insert(owner, "c", root + "/" + "s".repeat(256), nodes("n1")))))
        .isEqualTo("volumes_host_path_segment_max_length");
    insert(owner, "d", root + "/" + "s".repeat(255), nodes("n1"));
  }

  @Test
  void paths_outside_the_root_or_unnormalized_are_refused_by_the_database() {
    long owner = StorageFixtures.newParty(transactions, "user");

    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "a", "/elsewhere/x", nodes("n1")))))
        .isEqualTo("volumes_under_pool_root");
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "b", root + "/../x", nodes("n1")))))
        .isEqualTo("volumes_host_path_normalized");
    assertThat(
            StorageFixtures.constraintOf(
                catchThrowable(() -> insert(owner, "c", root, nodes("n1")))))
        .isEqualTo("volumes_under_pool_root");
  }

  @Test
  void a_pool_root_that_is_contains_or_lies_under_a_system_path_is_refused() {
    for (String system :
        List.of(
            "/etc",
            "/var",
            "/var/lib",
            "/var/lib/kubelet",
            "/var/lib/kubelet/pods",
            "/var/log/x",
            "/proc",
            "/usr/local",
            "/home/alice",
            "/root",
            "/run",
            "/tmp",
            "/boot",
            "/lib64")) {
      assertThat(StorageFixtures.constraintOf(catchThrowable(() -> setRoot(system))))
          .as(system)
          .isEqualTo("pool_roots_root_not_system");
    }
    assertThat(StorageFixtures.constraintOf(catchThrowable(() -> setRoot("/"))))
        .isEqualTo("pool_roots_root_normalized");
    for (String data : List.of("/data/x", "/var/lib/rota", "/mnt/nvme0", "/srv/data", "/varx")) {
      setRoot(data);
    }
    String inTheWay =
        transactions.read(c -> volumes.systemPathInTheWay(c, "/var/lib").orElseThrow());
    assertThat(inTheWay).startsWith("/var/lib/");
  }

  @Test
  void an_owner_with_volumes_cannot_be_deleted() {
    long owner = StorageFixtures.newParty(transactions, "user");
    insert(owner, "kept", root + "/kept", nodes("n1"));

    Throwable refused =
        catchThrowable(
            () ->
                transactions.write(
                    "test",
                    c -> {
                      try (PreparedStatement delete =
                          c.prepareStatement("DELETE FROM tenancy.parties WHERE id = ?")) {
                        delete.setLong(1, owner); // 1 the owner
                        return delete.executeUpdate();
                      }
                    }));

    assertThat(StorageFixtures.constraintOf(refused)).isEqualTo("volumes_owner_fk");
  }

  @Test
  void the_gin_index_finds_volumes_pinned_to_a_node_by_hostname() {
    long owner = StorageFixtures.newParty(transactions, "user");
    String host = "node-" + UUID.randomUUID().toString().substring(0, 6);
    long id = -1;
    for (int i = 0; i < 30; i++) {
      String hostname = i == 0 ? host : host + "-other-" + i;
      String pinned =
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
              + "\"operator\":\"In\",\"values\":[\""
              + hostname
              + "\",\"other\"]}]}]}";
      int n = i;
      long inserted =
          transactions.write(
              "test",
              c ->
                  volumes.insert(
                      c,
                      "pinned-" + n,
                      owner,
                      pool,
                      root + "/pinned-" + n,
                      1,
                      "ReadWriteOnce",
                      pinned,
                      List.of(hostname)));
      id = i == 0 ? inserted : id;
    }

    List<VolumeRow> found = transactions.read(c -> volumes.pinnedToNode(c, host));
    String plan =
        transactions.read(
            c -> {
              try (Statement session = c.createStatement()) {
                // The table is small in a test; without this the planner rightly prefers a scan.
                session.execute("SET LOCAL enable_seqscan = off");
              }
              try (PreparedStatement explain =
                  c.prepareStatement("EXPLAIN " + VolumeRepository.ON_NODE)) {
                explain.setString(1, host); // 1 the node's name
                StringBuilder lines = new StringBuilder();
                try (ResultSet rows = explain.executeQuery()) {
                  while (rows.next()) {
                    lines.append(rows.getString(1)).append('\n');
                  }
                }
                return lines.toString();
              }
            });

    assertThat(found).extracting(VolumeRow::id).containsExactly(id);
    assertThat(plan).contains("volumes_node_affinity_gin");
  }

  private void insert(long owner, String name, String path, List<String> nodes) {
    transactions.write(
        "test",
        c -> volumes.insert(c, name, owner, pool, path, 1024, "ReadWriteOnce", AFFINITY, nodes));
  }

  private void setRoot(String path) {
    transactions.write(
        "test",
        c -> {
          volumes.setPoolRoot(c, "sys-" + UUID.randomUUID().toString().substring(0, 6), path);
          return null;
        });
  }

  private static List<String> nodes(String... names) {
    return List.of(names);
  }

  /** A path under {@code base} of exactly {@code length} random bytes, segments at most so long. */
  private static String randomPath(String base, int length, int segment) {
    Random random = new Random(length * 31L + segment);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder path = new StringBuilder(base);
    while (path.length() < length) {
      int size = Math.max(1, Math.min(segment, length - path.length() - 1));
      path.append('/');
      for (int i = 0; i < size; i++) {
        path.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
    }
    return path.toString();
  }
}
