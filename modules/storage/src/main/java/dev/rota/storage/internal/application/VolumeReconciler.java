package dev.rota.storage.internal.application;

import dev.rota.platform.ClusterApply;
import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.SyncState;
import dev.rota.platform.Transactions;
import dev.rota.storage.internal.persistence.VolumeRepository;
import dev.rota.storage.internal.persistence.VolumeRow;
import dev.rota.tenancy.NamespaceName;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes the cluster hold exactly a volume's PersistentVolume and, while it is attached, its claim
 * in the attached node's namespace, as the outbox kind {@value #KIND} keyed by volume id. Services
 * enqueue in the transaction that changes the volume; a failed apply stays in the outbox and is
 * retried with backoff, so no change is forgotten. A deleted volume loses its PV and claims.
 */
@ApplicationScoped
public class VolumeReconciler implements Reconciler {

  public static final String KIND = "storage.volume";

  private final VolumeRepository volumes = new VolumeRepository();

  @Inject KubernetesClient kubernetes;
  @Inject Transactions transactions;
  @Inject Outbox outbox;
  @Inject Installation installation;

  /** Enqueues the volume, in the caller's transaction. */
  public void enqueue(Connection c, long volumeId) throws SQLException {
    outbox.enqueue(c, KIND, String.valueOf(volumeId));
  }

  /** Whether the volume's objects are applied (after the caller was allowed to see it). */
  public SyncState syncState(long volumeId) {
    return transactions.read(c -> outbox.state(c, KIND, String.valueOf(volumeId)));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void reconcile(String key) {
    long id = Long.parseLong(key);
    Optional<VolumeRow> volume = transactions.read(c -> volumes.find(c, id));
    String name = "rota-vol-" + id;
    PersistentVolume existing = kubernetes.persistentVolumes().withName(name).get();
    if (existing != null && !ours(existing)) {
      throw new IllegalStateException(
          "PersistentVolume " + name + " belongs to another Rota installation; it is left alone.");
    }
    String namespace = volume.map(VolumeRow::attachedNodeId).map(NamespaceName::of).orElse(null);
    // Claims elsewhere (detached, or the volume is gone) go before the PV changes its claimRef.
    kubernetes
        .persistentVolumeClaims()
        .inAnyNamespace()
        .withLabel(VolumeManifests.VOLUME_ID, key)
        .withLabel(Installation.LABEL, installation.id())
        .list()
        .getItems()
        .stream()
        .filter(pvc -> !pvc.getMetadata().getNamespace().equals(namespace))
        .forEach(pvc -> kubernetes.resource(pvc).delete());
    if (volume.isEmpty()) {
      if (existing != null) {
        kubernetes.persistentVolumes().withName(name).delete();
      }
      return;
    }
    ClusterApply cluster = new ClusterApply(kubernetes);
    cluster.apply(labelled(VolumeManifests.persistentVolume(volume.get(), namespace)));
    if (namespace != null) {
      cluster.apply(labelled(VolumeManifests.claim(volume.get(), namespace)));
    }
  }

  /** Every volume in the database, and every volume this installation's PVs name. */
  @Override
  public Collection<String> resyncKeys() {
    Set<String> keys = new TreeSet<>();
    transactions.read(volumes::ids).forEach(id -> keys.add(String.valueOf(id)));
    kubernetes
        .persistentVolumes()
        .withLabel(Installation.LABEL, installation.id())
        .list()
        .getItems()
        .forEach(pv -> volumeIdOf(pv).ifPresent(keys::add));
    return keys;
  }

  @Override
  public List<Watched<?>> watched() {
    return List.of(
        new Watched<>(PersistentVolume.class, VolumeReconciler::volumeIdOf),
        new Watched<>(PersistentVolumeClaim.class, VolumeReconciler::volumeIdOf));
  }

  private static Optional<String> volumeIdOf(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(VolumeManifests.VOLUME_ID))
        .filter(id -> id.matches("\\d{1,18}"));
  }

  private boolean ours(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(Installation.LABEL);
    return owner == null || owner.equals(installation.id());
  }

  private <T extends HasMetadata> T labelled(T object) {
    object.getMetadata().getLabels().put(Installation.LABEL, installation.id());
    return object;
  }
}
