package dev.rota.platform;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies Rota's desired objects with server-side apply as field manager {@value #FIELD_MANAGER},
 * so labels, annotations and fields that others set survive, and fields Rota stops setting are
 * removed. An API server that does not speak server-side apply gets the closest equivalent instead:
 * create, or replace under optimistic locking with the labels and annotations that others added
 * kept. fabric8's mock server is one: it answers an apply patch with 415 for an object that exists
 * and 404 for one that does not (a real API server creates it).
 */
public final class ClusterApply {

  public static final String FIELD_MANAGER = "rota";

  /** API servers (by URL) seen answering 415 to an apply patch. */
  private static final Set<String> WITHOUT_APPLY = ConcurrentHashMap.newKeySet();

  private final KubernetesClient kubernetes;

  public ClusterApply(KubernetesClient kubernetes) {
    this.kubernetes = kubernetes;
  }

  /** Makes the cluster's object match {@code desired} in every field Rota manages. */
  public <T extends HasMetadata> void apply(T desired) {
    String server = String.valueOf(kubernetes.getMasterUrl());
    if (!WITHOUT_APPLY.contains(server)) {
      try {
        kubernetes.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 415) {
          WITHOUT_APPLY.add(server);
        } else if (e.getCode() != 404) {
          throw e;
        }
        // 404: a missing namespace on a real server (the create below fails the same way), or
        // the mock server, which cannot apply to a missing object.
      }
    }
    createOrReplaceKeepingOthersMetadata(desired);
  }

  private <T extends HasMetadata> void createOrReplaceKeepingOthersMetadata(T desired) {
    T current = kubernetes.resource(desired).get();
    if (current == null) {
      kubernetes.resource(desired).create();
      return;
    }
    ObjectMeta mine = desired.getMetadata();
    ObjectMeta theirs = current.getMetadata();
    mine.setLabels(merged(theirs.getLabels(), mine.getLabels()));
    mine.setAnnotations(merged(theirs.getAnnotations(), mine.getAnnotations()));
    mine.setResourceVersion(theirs.getResourceVersion()); // a concurrent change answers 409
    kubernetes.resource(desired).update();
  }

  private static Map<String, String> merged(Map<String, String> theirs, Map<String, String> mine) {
    Map<String, String> all = new HashMap<>(theirs == null ? Map.of() : theirs);
    all.putAll(mine == null ? Map.of() : mine);
    return all;
  }
}
