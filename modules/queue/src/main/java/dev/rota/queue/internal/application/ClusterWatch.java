package dev.rota.queue.internal.application;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;

/**
 * Informers on the cluster's nodes, Pods and PriorityClasses: the capacity mirror reads their
 * caches instead of listing the whole cluster on every tick. Each informer lists once, then follows
 * the watch (and relists by itself when the watch breaks). Pods of every namespace are watched
 * because GPUs requested by Pods that Rota did not create are taken, wherever those Pods run.
 */
final class ClusterWatch implements AutoCloseable {

  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<PriorityClass> classes;

  private ClusterWatch(
      SharedIndexInformer<Node> nodes,
      SharedIndexInformer<Pod> pods,
      SharedIndexInformer<PriorityClass> classes) {
    this.nodes = nodes;
    this.pods = pods;
    this.classes = classes;
  }

  /** Starts the informers; their caches fill in the background. */
  static ClusterWatch start(KubernetesClient kubernetes) {
    SharedIndexInformer<Node> nodes = null;
    SharedIndexInformer<Pod> pods = null;
    try {
      nodes = kubernetes.nodes().inform();
      pods = kubernetes.pods().inAnyNamespace().inform();
      return new ClusterWatch(nodes, pods, kubernetes.scheduling().v1().priorityClasses().inform());
    } catch (RuntimeException e) { // the API server went away while they started
      if (nodes != null) {
        nodes.close();
      }
      if (pods != null) {
        pods.close();
      }
      throw e;
    }
  }

  /** Whether every cache holds a full list (until then the mirror lists by itself). */
  boolean synced() {
    return nodes.hasSynced() && pods.hasSynced() && classes.hasSynced();
  }

  List<Node> nodes() {
    return nodes.getStore().list();
  }

  List<Pod> pods() {
    return pods.getStore().list();
  }

  List<PriorityClass> classes() {
    return classes.getStore().list();
  }

  @Override
  public void close() {
    nodes.close();
    pods.close();
    classes.close();
  }
}
