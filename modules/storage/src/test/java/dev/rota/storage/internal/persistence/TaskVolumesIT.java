package dev.rota.storage.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.storage.TaskVolumes;
import dev.rota.storage.TaskVolumes.AttachedVolume;
import dev.rota.storage.TaskVolumes.Lookup;
import dev.rota.storage.internal.application.TaskVolumesService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's question about a task's volumes: attached at the task's node, with claim, pool and
 * nodes; anything else (attached elsewhere, missing) is answered alike; and what was read stays so
 * until the asking transaction ends.
 */
class TaskVolumesIT {

  private static final String AFFINITY = "{\"nodeSelectorTerms\":[{\"matchExpressions\":[]}]}";

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final VolumeRepository volumes = new VolumeRepository();
  private final TaskVolumes taskVolumes = new TaskVolumesService();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String pool = "pool-" + suffix;
  private final String root = "/data/" + suffix;
  private long group;
  private long project;
  private long other;

  @BeforeEach
  void a_group_with_two_projects() {
    group = StorageFixtures.newParty(transactions, "group");
    transactions.write(
        "test",
        c -> {
          volumes.setPoolRoot(c, pool, root);
          long top = node(c, "group", null, group, "g_" + suffix);
          project = node(c, "project", top, null, "train");
          other = node(c, "project", top, null, "serve");
          return null;
        });
  }

  @AfterEach
  void stop() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void volumes_attached_at_the_node_answer_and_those_elsewhere_or_missing_answer_alike() {
    long here = volume("here", List.of("n1", "n2"));
    long elsewhere = volume("elsewhere", List.of("n1"));
    long loose = volume("loose", List.of("n1"));
    transactions.write(
        "test",
        c -> {
          volumes.attach(c, here, project);
          volumes.attach(c, elsewhere, other);
          return null;
        });

    Lookup lookup =
        transactions.write(
            "queue",
            c -> taskVolumes.attachedAt(c, project, List.of(loose, here, 999_999_999L, elsewhere)));

    assertThat(lookup.attached())
        .containsExactly(new AttachedVolume(here, "rota-vol-" + here, pool, List.of("n1", "n2")));
    assertThat(lookup.notAttached()).containsExactly(elsewhere, loose, 999_999_999L);
  }

  @Test
  void a_detach_waits_until_the_transaction_that_read_the_attachment_ends() throws Exception {
    long volume = volume("locked", List.of("n1"));
    transactions.write("test", c -> attach(c, volume));
    CountDownLatch read = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Lookup> reader =
        executor.submit(
            () ->
                transactions.write(
                    "queue",
                    c -> {
                      Lookup lookup = taskVolumes.attachedAt(c, project, List.of(volume));
                      read.countDown();
                      awaitUninterruptibly(release);
                      return lookup;
                    }));
    assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();

    Thread detacher =
        new Thread(
            () ->
                transactions.write(
                    "test",
                    c -> {
                      volumes.detach(c, volume, project);
                      return null;
                    }));
    detacher.start();
    detacher.join(700);
    boolean detachedWhileRead = !detacher.isAlive();
    release.countDown();
    detacher.join(30_000);

    assertThat(detachedWhileRead).isFalse();
    assertThat(detacher.isAlive()).isFalse();
    assertThat(reader.get(30, TimeUnit.SECONDS).attached()).hasSize(1);
    Lookup after =
        transactions.write("queue", c -> taskVolumes.attachedAt(c, project, List.of(volume)));
    assertThat(after.notAttached()).containsExactly(volume);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Void attach(Connection c, long volume) throws SQLException {
    volumes.attach(c, volume, project);
    return null;
  }

  private long volume(String name, List<String> nodes) {
    return transactions.write(
        "test",
        c ->
            volumes.insert(
                c, name, group, pool, root + "/" + name, 1024, "ReadWriteOnce", AFFINITY, nodes));
  }

  private static long node(Connection c, String kind, Long parent, Long party, String label)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            """
            INSERT INTO tenancy.nodes (kind, parent_id, name, label, party_id)
            VALUES (?::tenancy.node_kind, ?, ?, ?, ?)   -- 1 kind, 2 parent, 3 name, 4 label, 5 party
            RETURNING id
            """)) {
      insert.setString(1, kind);
      insert.setObject(2, parent);
      insert.setString(3, label);
      insert.setString(4, label);
      insert.setObject(5, party);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}
