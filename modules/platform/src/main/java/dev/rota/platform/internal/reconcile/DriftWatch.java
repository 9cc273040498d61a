package dev.rota.platform.internal.reconcile;

import dev.rota.platform.Installation;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Reconciler.Watched;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Informers on the objects the reconcilers own (those labelled with this installation): a change or
 * deletion made by someone else enqueues the owning key at once, instead of waiting for the full
 * resync. Updates that change nothing but bookkeeping (resourceVersion, managedFields, status) are
 * ignored, so Rota's own no-op applies do not loop, except a change of the status that the
 * reconciler acts on ({@link Watched#observed()}, a Pod's phase), which only the cluster writes. A
 * new kind of object needs only a {@link Watched} entry in its reconciler.
 */
public class DriftWatch implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(DriftWatch.class.getName());

  private final KubernetesClient kubernetes;
  private final Installation installation;
  private final BiConsumer<String, String> enqueue;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  /** {@code enqueue} receives (kind, key) for each drifted object, on an informer thread. */
  public DriftWatch(
      KubernetesClient kubernetes, Installation installation, BiConsumer<String, String> enqueue) {
    this.kubernetes = kubernetes;
    this.installation = installation;
    this.enqueue = enqueue;
  }

  /** Starts an informer per watched type of each reconciler. */
  public DriftWatch start(List<? extends Reconciler> reconcilers) {
    for (Reconciler reconciler : reconcilers) {
      for (Watched<?> watched : reconciler.watched()) {
        informers.add(inform(reconciler.kind(), watched));
      }
    }
    return this;
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(String kind, Watched<T> watched) {
    KubernetesSerialization json = kubernetes.getKubernetesSerialization();
    ResourceEventHandler<T> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T object) {
            // Rota's own creates, and the initial list: the outbox and the resync cover these.
          }

          @Override
          public void onUpdate(T before, T after) {
            if (!Objects.equals(essence(json, before), essence(json, after))
                || !Objects.equals(
                    watched.observed().apply(before), watched.observed().apply(after))) {
              owned(after);
            }
          }

          @Override
          public void onDelete(T object, boolean finalStateUnknown) {
            owned(object);
          }

          private void owned(T object) {
            try {
              watched.owner().apply(object).ifPresent(key -> enqueue.accept(kind, key));
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "Could not enqueue drift of " + kind, e);
            }
          }
        };
    return kubernetes
        .resources(watched.type())
        .inAnyNamespace()
        .withLabel(Installation.LABEL, installation.id())
        .inform(handler, 0);
  }

  /** The object without what the API server alone writes (bookkeeping and status). */
  private static Object essence(KubernetesSerialization json, HasMetadata object) {
    Map<?, ?> tree = json.convertValue(object, Map.class);
    tree.remove("status");
    if (tree.get("metadata") instanceof Map<?, ?> metadata) {
      metadata.remove("resourceVersion");
      metadata.remove("managedFields");
      metadata.remove("generation");
    }
    return tree;
  }

  /** How many informers run. */
  public int size() {
    return informers.size();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
