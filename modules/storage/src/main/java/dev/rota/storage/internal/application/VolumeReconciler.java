package dev.rota.storage.internal.application;

import dev.rota.storage.internal.persistence.VolumeRow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies a volume's PersistentVolume (and, when attached, its claim) to the cluster after the
 * database has committed the change; idempotent, and a failure is logged rather than undoing a
 * committed change.
 */
@ApplicationScoped
public class VolumeReconciler {

  private static final Logger LOG = Logger.getLogger(VolumeReconciler.class.getName());

  @Inject KubernetesClient kubernetes;

  /**
   * Makes the cluster hold exactly the volume's PV, and its PVC in {@code namespace} if attached.
   */
  public void apply(VolumeRow volume, String namespace) {
    try {
      kubernetes
          .resource(VolumeManifests.persistentVolume(volume, namespace))
          .createOr(NonDeletingOperation::update);
      if (namespace != null) {
        kubernetes
            .resource(VolumeManifests.claim(volume, namespace))
            .inNamespace(namespace)
            .createOr(NonDeletingOperation::update);
      }
    } catch (KubernetesClientException e) {
      LOG.log(Level.WARNING, "Could not apply volume " + volume.id(), e);
    }
  }

  public void removeClaim(VolumeRow volume, String namespace) {
    try {
      kubernetes
          .persistentVolumeClaims()
          .inNamespace(namespace)
          .withName(VolumeManifests.name(volume))
          .delete();
      apply(volume, null);
    } catch (KubernetesClientException e) {
      LOG.log(Level.WARNING, "Could not remove the claim of volume " + volume.id(), e);
    }
  }

  public void remove(VolumeRow volume) {
    try {
      kubernetes.persistentVolumes().withName(VolumeManifests.name(volume)).delete();
    } catch (KubernetesClientException e) {
      LOG.log(Level.WARNING, "Could not delete the PersistentVolume of volume " + volume.id(), e);
    }
  }
}
