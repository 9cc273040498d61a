package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Installation;
import dev.rota.platform.Transactions;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.queue.internal.persistence.CapacityRepository;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rota's never-preempting copies of the PriorityClasses, against the real database and fabric8's
 * CRUD mock API server: a copy follows its original's value (recreated, since a class's value
 * cannot change), goes when the original goes, never exceeds the highest non-system value, is never
 * mirrored as a class a task may name, and is enqueued by the mirror's trigger only on a real
 * change.
 */
class PriorityClassReconcilerIT {

  private final TestQueue queue = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final SimulatedCluster cluster = SimulatedCluster.start(0, 8, List.of());
  private final KubernetesClient kubernetes = cluster.client();
  private final Installation installation = new Installation("classes-it");
  private final PriorityClassReconciler classes =
      new PriorityClassReconciler(transactions, kubernetes, installation);
  private final CapacityRepository capacity = new CapacityRepository();
  private final String original = "c" + TestQueue.unique();

  @AfterEach
  void clean_up() {
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM queue.priority_classes WHERE name = ?")) { // 1 the test's class
            delete.setString(1, original);
            delete.executeUpdate();
          }
          return null;
        });
    cluster.close();
    queue.close();
  }

  @Test
  void a_copy_has_its_originals_value_follows_a_change_and_goes_with_the_original() {
    mirror(original, 4200);
    classes.reconcile(original);
    assertThat(copy().getValue()).isEqualTo(4200);
    assertThat(copy().getPreemptionPolicy()).isEqualTo("Never");
    assertThat(copy().getMetadata().getAnnotations())
        .containsEntry(PriorityClassReconciler.SOURCE, original);

    mirror(original, 4300);
    classes.reconcile(original);
    assertThat(copy().getValue()).as("deleted and created anew").isEqualTo(4300);

    forget(original);
    classes.reconcile(original);
    assertThat(copy()).isNull();
  }

  @Test
  void a_copy_of_a_system_class_takes_the_highest_value_that_is_not_critical() {
    mirror(original, 2_000_001_000);

    classes.reconcile(original);

    assertThat(copy().getValue()).isEqualTo(1_000_000_000);
  }

  @Test
  void copies_are_never_mirrored_as_classes_a_task_may_name_and_are_put_back_by_the_resync() {
    mirror(original, 4200);
    classes.reconcile(original);

    new CapacitySync(transactions, kubernetes).syncAll();

    assertThat(mirrored()).contains("rota-normal").noneMatch(n -> n.startsWith("rota-task-"));
    assertThat(classes.resyncKeys())
        .as("the copy names its original although the mirror lost it (not in the cluster)")
        .contains(original, "rota-normal");
  }

  @Test
  void a_class_of_another_installation_is_never_taken_over() {
    mirror(original, 4200);
    kubernetes
        .scheduling()
        .v1()
        .priorityClasses()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName("rota-task-" + original)
                .addToLabels(Installation.LABEL, "someone-else")
                .endMetadata()
                .withValue(1)
                .build())
        .create();

    assertThatThrownBy(() -> classes.reconcile(original))
        .hasMessageContaining("not this Rota installation's");
    assertThat(copy().getValue()).isEqualTo(1);
  }

  @Test
  void the_mirror_enqueues_a_copy_when_a_class_appears_or_changes_but_not_when_merely_seen() {
    mirror(original, 4200);
    long appeared = generation();
    mirror(original, 4200);
    long seen = generation();
    mirror(original, 4201);
    long changed = generation();

    assertThat(appeared).isPositive();
    assertThat(seen).isEqualTo(appeared);
    assertThat(changed).isEqualTo(appeared + 1);
  }

  private PriorityClass copy() {
    return kubernetes
        .scheduling()
        .v1()
        .priorityClasses()
        .withName(PriorityClassReconciler.copyOf(original))
        .get();
  }

  private void mirror(String name, int value) {
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          capacity.upsert(c, new PriorityClassRow(name, value, "PreemptLowerPriority", false));
          return null;
        });
  }

  private void forget(String name) {
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM queue.priority_classes WHERE name = ?")) {
            delete.setString(1, name); // 1 the class
            return delete.executeUpdate();
          }
        });
  }

  private List<String> mirrored() {
    return transactions.read(capacity::classNames);
  }

  /** The outbox generation of the original's copy; 0 when none waits. */
  private long generation() {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT COALESCE(max(generation), 0) FROM platform.reconcile_outbox"
                      + " WHERE kind = 'queue.priority-class' AND object_key = ?")) {
            select.setString(1, original); // 1 the class
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }
}
