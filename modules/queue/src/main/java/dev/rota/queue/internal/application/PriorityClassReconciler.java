package dev.rota.queue.internal.application;

import dev.rota.platform.ClusterApply;
import dev.rota.platform.Installation;
import dev.rota.platform.Reconciler;
import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.CapacityRepository;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rota is the only preemptor: its task Pods name a Rota-owned copy of the task's PriorityClass (the
 * outbox kind {@value #KIND}, keyed by the original class's name) with the same value and {@code
 * preemptionPolicy: Never}. The Pods are bound to their node by {@code spec.nodeName}, so
 * kube-scheduler never schedules them; the copy makes sure that, whatever reaches the scheduler's
 * or the kubelet's preemption all the same, a Rota Pod never evicts anything. Values above {@value
 * #HIGHEST} are reserved for Kubernetes' system classes: the copy takes {@value #HIGHEST}, so a
 * Rota Pod is never critical and the kubelet never evicts other Pods to admit it. A class's value
 * and policy cannot change in place, so a copy whose original changed is deleted and created anew.
 * Copies are never mirrored as classes a task may name (CapacitySync leaves them out).
 */
@ApplicationScoped
public class PriorityClassReconciler implements Reconciler {

  public static final String KIND = "queue.priority-class";

  /** The highest value of a PriorityClass that is not a system class. */
  static final int HIGHEST = 1_000_000_000;

  static final String PREFIX = "rota-task-";

  /** The original class a copy mirrors (annotations take names longer than labels do). */
  static final String SOURCE = "rota.dev/priority-class";

  private static final int MAX_NAME = 253;

  private final CapacityRepository capacity = new CapacityRepository();

  /** Originals whose copy this instance has seen in place: dispatch does not ask again. */
  private final Set<String> ready = ConcurrentHashMap.newKeySet();

  @Inject Transactions transactions;
  @Inject KubernetesClient kubernetes;
  @Inject Installation installation;

  public PriorityClassReconciler() {}

  /** For tests and tools outside the container. */
  public PriorityClassReconciler(
      Transactions transactions, KubernetesClient kubernetes, Installation installation) {
    this.transactions = transactions;
    this.kubernetes = kubernetes;
    this.installation = installation;
  }

  /** The name of the copy that Rota's Pods of a task of class {@code original} name. */
  static String copyOf(String original) {
    String name = PREFIX + original;
    if (name.length() <= MAX_NAME) {
      return name;
    }
    try { // only for absurdly long names: still one stable, valid name per original
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(original.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a class is such a copy (of any Rota installation): never one a task may name. */
  static boolean isCopy(PriorityClass priorityClass) {
    Map<String, String> labels = priorityClass.getMetadata().getLabels();
    return labels != null && "rota".equals(labels.get(TaskPodManifests.MANAGED_BY));
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Makes sure the copy exists before a Pod names it; asks the cluster once per instance. */
  void ensure(String original) {
    if (!ready.contains(original)) {
      reconcile(original);
    }
  }

  /** A Pod naming the copy was refused: the next dispatch checks the copy again. */
  void forget(String original) {
    ready.remove(original);
  }

  @Override
  public void reconcile(String original) {
    Optional<PriorityClassRow> row = transactions.read(c -> capacity.findClass(c, original));
    String name = copyOf(original);
    PriorityClass current = kubernetes.scheduling().v1().priorityClasses().withName(name).get();
    if (current != null && !isOurs(current)) {
      throw new IllegalStateException(
          "PriorityClass " + name + " exists and is not this Rota installation's; not taken over");
    }
    if (row.isEmpty()) {
      ready.remove(original);
      if (current != null) {
        kubernetes.resource(current).delete();
      }
      return;
    }
    PriorityClass desired = desired(name, original, row.get().value());
    if (current != null
        && (!Objects.equals(current.getValue(), desired.getValue())
            || !"Never".equals(current.getPreemptionPolicy()))) {
      kubernetes.resource(current).delete(); // value and policy are immutable
    }
    new ClusterApply(kubernetes).apply(desired);
    ready.add(original);
  }

  PriorityClass desired(String name, String original, int value) {
    return new PriorityClassBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(TaskPodManifests.MANAGED_BY, "rota")
        .addToLabels(Installation.LABEL, installation.id())
        .addToAnnotations(SOURCE, original)
        .endMetadata()
        .withValue(Math.min(value, HIGHEST))
        .withPreemptionPolicy("Never")
        .withGlobalDefault(false)
        .withDescription(
            "Rota's copy of " + original + " for its task Pods: same value, never preempts")
        .build();
  }

  private boolean isOurs(PriorityClass priorityClass) {
    Map<String, String> labels = priorityClass.getMetadata().getLabels();
    return labels != null && installation.id().equals(labels.get(Installation.LABEL));
  }

  /** Every mirrored class, and every original that one of this installation's copies names. */
  @Override
  public Collection<String> resyncKeys() {
    Set<String> keys = new TreeSet<>(transactions.read(capacity::classNames));
    kubernetes
        .scheduling()
        .v1()
        .priorityClasses()
        .withLabel(Installation.LABEL, installation.id())
        .list()
        .getItems()
        .stream()
        .map(PriorityClassReconciler::source)
        .flatMap(Optional::stream)
        .forEach(keys::add);
    return keys;
  }

  /** An edited or deleted copy is put back at once. */
  @Override
  public List<Watched<?>> watched() {
    return List.of(new Watched<>(PriorityClass.class, PriorityClassReconciler::source));
  }

  private static Optional<String> source(PriorityClass priorityClass) {
    Map<String, String> annotations = priorityClass.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(SOURCE));
  }
}
