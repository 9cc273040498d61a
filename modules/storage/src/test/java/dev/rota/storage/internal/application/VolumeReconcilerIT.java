package dev.rota.storage.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.internal.reconcile.InstallationProducer;
import dev.rota.platform.internal.reconcile.OutboxWorker;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.storage.internal.persistence.VolumeRepository;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A volume's PersistentVolume follows the database through the outbox: applied after the
 * transaction that created the volume, labelled with this installation, deleted with the volume; a
 * PV of the same name that another installation owns is never touched.
 */
class VolumeReconcilerIT {

  private static final String AFFINITY =
      "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
          + "\"operator\":\"In\",\"values\":[\"gpu-node-01\"]}]}]}";

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final VolumeRepository volumes = new VolumeRepository();
  private final Outbox outbox = new Outbox();
  private final String root = "/data/" + UUID.randomUUID().toString().substring(0, 8);
  private final String pool = "pool-" + UUID.randomUUID().toString().substring(0, 8);
  private SimulatedCluster cluster;
  private KubernetesClient kubernetes;
  private VolumeReconciler reconciler;
  private OutboxWorker worker;

  @BeforeEach
  void start() {
    cluster = SimulatedCluster.start(1, 8, List.of(pool));
    kubernetes = cluster.client();
    reconciler = new VolumeReconciler();
    reconciler.kubernetes = kubernetes;
    reconciler.transactions = transactions;
    reconciler.outbox = outbox;
    reconciler.installation = InstallationProducer.read(transactions);
    worker =
        new OutboxWorker(
            transactions,
            List.of(reconciler),
            new OutboxWorker.Settings(
                Duration.ofSeconds(30), 20, Duration.ofMillis(20), Duration.ofMillis(200)),
            OutboxWorker.Observer.NONE);
    transactions.write(
        "test",
        c -> {
          volumes.setPoolRoot(c, pool, root);
          return null;
        });
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void a_new_volume_gets_its_labelled_persistent_volume_after_the_commit_and_loses_it_with_it() {
    long id = createVolume("datasets");
    assertThat(pv(id)).as("nothing in the request's transaction").isNull();
    assertThat(state(id)).isEqualTo("pending");

    worker.drain();

    assertThat(pv(id).getSpec().getHostPath().getPath()).isEqualTo(root + "/datasets");
    assertThat(pv(id).getMetadata().getLabels())
        .containsEntry(Installation.LABEL, reconciler.installation.id())
        .containsEntry(VolumeManifests.VOLUME_ID, String.valueOf(id));
    assertThat(state(id)).isEqualTo("synced");

    transactions.write(
        "test",
        c -> {
          volumes.delete(c, id);
          reconciler.enqueue(c, id);
          return null;
        });
    worker.drain();

    assertThat(pv(id)).isNull();
  }

  @Test
  void a_persistent_volume_of_another_installation_is_never_taken_over_or_deleted() {
    long id = createVolume("theirs");
    kubernetes
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("rota-vol-" + id)
                .addToLabels(Installation.LABEL, "another-installation")
                .endMetadata()
                .withNewSpec()
                .withNewHostPath("/elsewhere", "Directory")
                .endSpec()
                .build())
        .create();

    worker.drain();

    assertThat(pv(id).getSpec().getHostPath().getPath()).isEqualTo("/elsewhere");
    assertThat(state(id)).isEqualTo("failed");
    assertThat(reconciler.syncState(id).lastError()).contains("another Rota installation");
  }

  private long createVolume(String name) {
    return transactions.write(
        "test",
        c -> {
          long owner;
          try (PreparedStatement insert =
                  c.prepareStatement(
                      "INSERT INTO tenancy.parties (kind) VALUES ('user') RETURNING id");
              ResultSet row = insert.executeQuery()) {
            row.next();
            owner = row.getLong(1);
          }
          long id =
              volumes.insert(
                  c,
                  name,
                  owner,
                  pool,
                  root + "/" + name,
                  1024,
                  "ReadWriteOnce",
                  AFFINITY,
                  List.of("gpu-node-01"));
          reconciler.enqueue(c, id);
          return id;
        });
  }

  private PersistentVolume pv(long id) {
    return kubernetes.persistentVolumes().withName("rota-vol-" + id).get();
  }

  private String state(long id) {
    return reconciler.syncState(id).sync();
  }
}
