package dev.rota.storage.internal.application;

import dev.rota.storage.TaskVolumes;
import dev.rota.storage.internal.persistence.VolumeRow;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * The Kubernetes objects of a volume. The PersistentVolume carries the hostPath and the required
 * node affinity; when the volume is attached, its {@code claimRef} names the one claim in the one
 * namespace allowed to bind it, and that claim names the volume ({@code volumeName}), so no other
 * namespace can take it. Both use the empty storage class: these are never dynamically provisioned.
 */
final class VolumeManifests {

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String VOLUME_ID = "rota.dev/volume-id";

  private VolumeManifests() {}

  static String name(VolumeRow volume) {
    return TaskVolumes.claimName(volume.id());
  }

  static PersistentVolume persistentVolume(VolumeRow volume, String claimNamespace) {
    PersistentVolumeBuilder pv =
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName(name(volume))
            .addToLabels(MANAGED_BY, "rota")
            .addToLabels(VOLUME_ID, String.valueOf(volume.id()))
            .endMetadata()
            .withNewSpec()
            .withCapacity(Map.of("storage", new Quantity(String.valueOf(volume.capacityBytes()))))
            .withAccessModes(volume.accessMode())
            .withPersistentVolumeReclaimPolicy("Retain")
            .withStorageClassName("")
            .withNewHostPath(volume.hostPath(), "Directory")
            .withNewNodeAffinity()
            .withRequired(Serialization.unmarshal(volume.nodeAffinityJson(), NodeSelector.class))
            .endNodeAffinity()
            .endSpec();
    if (claimNamespace != null) {
      pv.editSpec()
          .withNewClaimRef()
          .withKind("PersistentVolumeClaim")
          .withApiVersion("v1")
          .withNamespace(claimNamespace)
          .withName(name(volume))
          .endClaimRef()
          .endSpec();
    }
    return pv.build();
  }

  static PersistentVolumeClaim claim(VolumeRow volume, String namespace) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name(volume))
        .withNamespace(namespace)
        .addToLabels(MANAGED_BY, "rota")
        .addToLabels(VOLUME_ID, String.valueOf(volume.id()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(volume.accessMode())
        .withStorageClassName("")
        .withVolumeName(name(volume))
        .withNewResources()
        .addToRequests("storage", new Quantity(String.valueOf(volume.capacityBytes())))
        .endResources()
        .endSpec()
        .build();
  }

  /** The objects as YAML documents, as {@code kubectl apply -f} takes them. */
  static String yaml(VolumeRow volume, String claimNamespace) {
    String pv = Serialization.asYaml(persistentVolume(volume, claimNamespace));
    return claimNamespace == null ? pv : pv + Serialization.asYaml(claim(volume, claimNamespace));
  }
}
