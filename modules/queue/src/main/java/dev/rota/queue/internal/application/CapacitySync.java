package dev.rota.queue.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.CapacityRepository;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirrors what the queue needs to know of the cluster into the database in one transaction: every
 * GPU node (pool, allocatable GPUs, Ready, cordoned, GPUs held by Pods Rota did not create) and
 * every PriorityClass but Rota's own copies ({@link PriorityClassReconciler}). Nodes and classes
 * the cluster no longer has are forgotten; a vanished node that still holds placements is kept, not
 * Ready, until they are gone. Once {@link #watch()} has started informers and their caches are
 * full, the mirror is written from the caches (informer plus the timer's periodic write as the
 * resync); before that, and outside the container, it lists the cluster.
 */
@ApplicationScoped
public class CapacitySync {

  static final String ACTOR = "rota:capacity-sync";

  private final CapacityRepository capacity = new CapacityRepository();

  @Inject Transactions transactions;
  @Inject KubernetesClient kubernetes;

  private volatile ClusterWatch watch;

  public CapacitySync() {}

  /** For tests and tools outside the container. */
  public CapacitySync(Transactions transactions, KubernetesClient kubernetes) {
    this.transactions = transactions;
    this.kubernetes = kubernetes;
  }

  /** Starts the informers if they do not run yet; idempotent. */
  public synchronized void watch() {
    if (watch == null) {
      watch = ClusterWatch.start(kubernetes);
    }
  }

  /** Whether the mirror is written from informer caches. */
  public boolean watching() {
    ClusterWatch current = watch;
    return current != null && current.synced();
  }

  /** Reads the cluster, then writes what it saw; returns the number of nodes mirrored. */
  public int syncAll() {
    ClusterWatch cache = watching() ? watch : null;
    List<Node> nodes = cache != null ? cache.nodes() : kubernetes.nodes().list().getItems();
    List<PriorityClass> classes =
        (cache != null
                ? cache.classes()
                : kubernetes.scheduling().v1().priorityClasses().list().getItems())
            .stream()
                .filter(c -> !PriorityClassReconciler.isCopy(c)) // Rota's own: no task names them
                .toList();
    List<Pod> pods =
        cache != null ? cache.pods() : kubernetes.pods().inAnyNamespace().list().getItems();
    Map<String, Integer> foreign = new HashMap<>();
    for (Pod pod : pods) {
      int gpus = ClusterObservations.foreignGpus(pod);
      if (gpus > 0) {
        foreign.merge(pod.getSpec().getNodeName(), gpus, Integer::sum);
      }
    }
    return transactions.write(
        ACTOR,
        c -> {
          for (PriorityClass priorityClass : classes) {
            capacity.upsert(c, ClusterObservations.priorityClass(priorityClass));
          }
          capacity.forgetClassesExcept(
              c, classes.stream().map(p -> p.getMetadata().getName()).toList());
          for (Node node : nodes) {
            String name = node.getMetadata().getName();
            capacity.upsert(c, ClusterObservations.node(node, foreign.getOrDefault(name, 0)));
          }
          capacity.forgetNodesExcept(
              c, nodes.stream().map(n -> n.getMetadata().getName()).toList());
          return nodes.size();
        });
  }

  @PreDestroy
  synchronized void close() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }
}
