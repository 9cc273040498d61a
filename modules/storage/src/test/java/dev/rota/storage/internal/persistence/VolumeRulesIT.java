package dev.rota.storage.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

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
  void twenty_owners_racing_for_overlapping_paths_on_one_node_leave_exactly_one_winner()
      throws Exception {
    List<Long> owners = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      owners.add(newParty("user"));
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long owner = owners.get(i);
      String path = root + "/shared" + "/sub".repeat(i % 3); // every path is a prefix of another
      attempts.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  insert(owner, "v", path, List.of("gpu-node-01"));
                  return true;
                } catch (Transactions.DatabaseFailure e) {
                  assertThat(constraintOf(e)).isEqualTo("placements_no_foreign_overlap");
                  return false;
                }
              }));
    }
    start.countDown();
    int winners = 0;
    for (Future<Boolean> attempt : attempts) {
      winners += attempt.get(60, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(winners).isEqualTo(1);
  }

  @Test
  void one_owner_may_nest_its_own_volumes_and_other_nodes_are_independent() {
    long owner = newParty("user");
    long rival = newParty("user");

    insert(owner, "outer", root + "/team", List.of("gpu-node-01"));
    insert(owner, "inner", root + "/team/ds", List.of("gpu-node-01"));
    insert(rival, "elsewhere", root + "/team/ds", List.of("gpu-node-02"));
    insert(rival, "sibling", root + "/team-b", List.of("gpu-node-01"));

    assertThat(
            constraintOf(
                catchThrowable(
                    () -> insert(rival, "inside", root + "/team/x", List.of("gpu-node-01")))))
        .isEqualTo("placements_no_foreign_overlap");
  }

  @Test
  void paths_outside_the_root_or_unnormalized_are_refused_by_the_database() {
    long owner = newParty("user");

    assertThat(
            constraintOf(catchThrowable(() -> insert(owner, "a", "/elsewhere/x", List.of("n1")))))
        .isEqualTo("volumes_under_pool_root");
    assertThat(
            constraintOf(catchThrowable(() -> insert(owner, "b", root + "/../x", List.of("n1")))))
        .isEqualTo("volumes_host_path_normalized");
    assertThat(constraintOf(catchThrowable(() -> insert(owner, "c", root, List.of("n1")))))
        .isEqualTo("volumes_under_pool_root");
  }

  @Test
  void system_paths_cannot_be_a_pool_root() {
    for (String system : List.of("/etc", "/var/lib/kubelet/pods", "/proc", "/usr/local")) {
      Throwable refused =
          catchThrowable(
              () ->
                  transactions.write(
                      "test",
                      c -> {
                        volumes.setPoolRoot(c, "sys", system);
                        return null;
                      }));
      assertThat(constraintOf(refused)).as(system).isEqualTo("pool_roots_root_not_system");
    }
  }

  @Test
  void an_owner_with_volumes_cannot_be_deleted() {
    long owner = newParty("user");
    insert(owner, "kept", root + "/kept", List.of("n1"));

    Throwable refused =
        catchThrowable(
            () ->
                transactions.write(
                    "test",
                    c -> {
                      try (PreparedStatement delete =
                          c.prepareStatement("DELETE FROM tenancy.parties WHERE id = ?")) {
                        delete.setLong(1, owner);
                        return delete.executeUpdate();
                      }
                    }));

    assertThat(constraintOf(refused)).isEqualTo("volumes_owner_fk");
  }

  @Test
  void the_gin_index_finds_volumes_pinned_to_a_node_by_hostname() {
    long owner = newParty("user");
    String host = "node-" + UUID.randomUUID().toString().substring(0, 6);
    String pinned =
        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
            + "\"operator\":\"In\",\"values\":[\""
            + host
            + "\",\"other\"]}]}]}";
    long id =
        transactions.write(
            "test",
            c ->
                volumes.insert(
                    c,
                    "pinned",
                    owner,
                    pool,
                    root + "/pinned",
                    1,
                    "ReadWriteOnce",
                    pinned,
                    List.of(host)));

    List<VolumeRow> found = transactions.read(c -> volumes.pinnedToNode(c, host));

    assertThat(found).extracting(VolumeRow::id).containsExactly(id);
  }

  private void insert(long owner, String name, String path, List<String> nodes) {
    transactions.write(
        "test",
        c -> volumes.insert(c, name, owner, pool, path, 1024, "ReadWriteOnce", AFFINITY, nodes));
  }

  private long newParty(String kind) {
    return transactions.write(
        "test",
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO tenancy.parties (kind) VALUES (?::tenancy.party_kind) RETURNING id"); ) {
            insert.setString(1, kind);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  private static String constraintOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
        return psql.getServerErrorMessage().getConstraint();
      }
    }
    return "no constraint in " + failure;
  }
}
