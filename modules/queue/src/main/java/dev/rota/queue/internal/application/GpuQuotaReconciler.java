package dev.rota.queue.internal.application;

import dev.rota.platform.ClusterApply;
import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.tenancy.NamespaceName;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * GPUs reach a namespace only through the queue: each project's namespace has a ResourceQuota whose
 * {@code requests.nvidia.com/gpu} is exactly what Rota has admitted there (in quota and borrowing
 * alike). A Pod that Rota dispatches always fits, since the quota is raised before its Pods are
 * created; a Pod that a user creates behind the queue's back asks for GPUs that the quota does not
 * have, and Kubernetes refuses it. See docs/queue.md for why a quota and not RBAC.
 */
@ApplicationScoped
public class GpuQuotaReconciler implements Reconciler {

  public static final String KIND = "queue.namespace-gpus";
  static final String QUOTA_NAME = "rota-gpu-quota";
  static final String GPU_REQUESTS = "requests.nvidia.com/gpu";

  private final TaskPodsRepository tasks = new TaskPodsRepository();

  @Inject Transactions transactions;
  @Inject KubernetesClient kubernetes;
  @Inject Installation installation;
  @Inject Outbox outbox;

  public GpuQuotaReconciler() {}

  /** For tests and tools outside the container. */
  public GpuQuotaReconciler(
      Transactions transactions,
      KubernetesClient kubernetes,
      Installation installation,
      Outbox outbox) {
    this.transactions = transactions;
    this.kubernetes = kubernetes;
    this.installation = installation;
    this.outbox = outbox;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void reconcile(String key) {
    apply(Long.parseLong(key));
  }

  /**
   * Sets the namespace's GPU quota to what Rota has admitted there now; a node that is gone has no
   * namespace left to hold one. Two instances dispatching into one namespace write the quota at the
   * same moment: the loser of the optimistic lock reads the database again and retries, rather than
   * failing its dispatch into a backoff. A write based on an older read is put right by the next
   * reconcile, which the informer on the quota asks for.
   */
  void apply(long nodeId) {
    for (int attempt = 1; ; attempt++) {
      Optional<Integer> gpus =
          transactions.read(
              c ->
                  tasks.namespaced(c, nodeId)
                      ? Optional.of(tasks.activeGpus(c, nodeId))
                      : Optional.<Integer>empty());
      if (gpus.isEmpty()) {
        return;
      }
      try {
        new ClusterApply(kubernetes).apply(quota(NamespaceName.of(nodeId), gpus.get()));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 3) {
          throw e;
        }
      }
    }
  }

  ResourceQuota quota(String namespace, int gpus) {
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName(QUOTA_NAME)
        .withNamespace(namespace)
        .addToLabels(TaskPodManifests.MANAGED_BY, "rota")
        .addToLabels(Installation.LABEL, installation.id())
        .endMetadata()
        .withNewSpec()
        .addToHard(GPU_REQUESTS, new Quantity(String.valueOf(gpus)))
        .endSpec()
        .build();
  }

  /** Every project and subproject: each namespace has a GPU quota, 0 when nothing is admitted. */
  @Override
  public Collection<String> resyncKeys() {
    return transactions.read(tasks::namespaced);
  }

  /** An edited quota is put back at once; a new namespace gets its quota at once. */
  @Override
  public List<Watched<?>> watched() {
    return List.of(
        new Watched<>(
            ResourceQuota.class,
            q ->
                QUOTA_NAME.equals(q.getMetadata().getName())
                    ? nodeIdOf(q.getMetadata().getNamespace())
                    : Optional.empty()),
        new Watched<>(Namespace.class, ns -> nodeIdOf(ns.getMetadata().getName())));
  }

  private static Optional<String> nodeIdOf(String namespace) {
    return namespace != null && namespace.matches(NamespaceName.PREFIX + "\\d{1,18}")
        ? Optional.of(namespace.substring(NamespaceName.PREFIX.length()))
        : Optional.empty();
  }
}
