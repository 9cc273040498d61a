package dev.rota.tenancy.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Caller;
import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.SyncState;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
import dev.rota.platform.internal.reconcile.FullResync;
import dev.rota.platform.internal.reconcile.InstallationProducer;
import dev.rota.platform.internal.reconcile.OutboxWorker;
import dev.rota.platform.testing.FlakyCluster;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import dev.rota.tenancy.internal.persistence.TestTenancy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler, driven through the outbox by a real worker, against fabric8's CRUD mock API
 * server and the real database: what it creates, that it is idempotent, that resync repairs drift
 * and deletes only this installation's objects, and that faults of the API server end in
 * convergence. Resync covers every node in the shared database, so assertions look at this test's
 * namespaces only.
 */
class NamespaceReconcilerIT {

  private static final String MANAGED = NamespaceReconciler.MANAGED_BY;

  private final TestTenancy tenancy = new TestTenancy();
  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();
  private final Installation installation = InstallationProducer.read(tenancy.transactions());
  private SimulatedCluster cluster;
  private KubernetesClient kubernetes;
  private NamespaceReconciler reconciler;
  private OutboxWorker worker;

  @BeforeEach
  void start_a_cluster() {
    cluster = SimulatedCluster.start(1, 8, List.of("pool"));
    use(cluster.client());
  }

  private void use(KubernetesClient client) {
    kubernetes = client;
    reconciler = reconcilerOf(client, installation);
    worker =
        new OutboxWorker(
            tenancy.transactions(),
            List.of(reconciler),
            new OutboxWorker.Settings(
                Duration.ofSeconds(30), 20, Duration.ofMillis(20), Duration.ofMillis(200)),
            OutboxWorker.Observer.NONE);
  }

  private NamespaceReconciler reconcilerOf(KubernetesClient client, Installation owner) {
    NamespaceReconciler one = new NamespaceReconciler();
    one.kubernetes = client;
    one.transactions = tenancy.transactions();
    one.outbox = new Outbox();
    one.installation = owner;
    return one;
  }

  @AfterEach
  void clean_up() {
    cluster.close();
    tenancy.close();
  }

  /** What a service does in its transaction, then what the workers do after the commit. */
  private void reconcileSubtree(long nodeId) {
    tenancy
        .transactions()
        .write(
            "test",
            c -> {
              reconciler.enqueueSubtree(c, nodeId);
              return null;
            });
    worker.drain();
  }

  private int resyncAll() {
    int enqueued =
        new FullResync(tenancy.transactions(), new Outbox())
            .runIfLeader(List.of(reconciler), "namespace-reconciler-it", Duration.ofSeconds(30));
    worker.drain();
    return enqueued;
  }

  @Test
  void a_project_gets_a_namespace_and_a_role_binding_per_member_but_no_gpu_quota() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Vision", 4, null);
    UserRow viewer = tenancy.user("viewer");
    UserRow member = tenancy.user("member");
    UserRow admin = tenancy.user("admin");
    UserRow owner = tenancy.user("owner");
    UserRow grouped = tenancy.user("grouped");
    tenancy.bind(root, viewer.partyId(), Role.VIEWER); // inherited from above
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    tenancy.bind(project, admin.partyId(), Role.ADMIN);
    tenancy.bind(project, owner.partyId(), Role.OWNER);
    tenancy.addMember(root, grouped);
    tenancy.bind(project, root.partyId(), Role.MEMBER);

    reconcileSubtree(project.id());

    String name = "rota-n" + project.id();
    Namespace namespace = kubernetes.namespaces().withName(name).get();
    assertThat(namespace).isNotNull();
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry(NamespaceReconciler.NODE_ID, String.valueOf(project.id()))
        .containsEntry(MANAGED, "rota");
    assertThat(namespace.getMetadata().getAnnotations())
        .containsEntry(NamespaceReconciler.PATH, root.label() + "/vision");
    assertThat(gpuQuota(name)).as("the queue owns the GPU quota").isNull();
    assertThat(kubernetes.rbac().roleBindings().inNamespace(name).list().getItems())
        .extracting(
            rb -> rb.getMetadata().getName(),
            rb -> rb.getMetadata().getLabels().get(MANAGED),
            rb -> rb.getRoleRef().getKind(),
            rb -> rb.getRoleRef().getName(),
            rb -> rb.getSubjects().get(0).getKind(),
            rb -> rb.getSubjects().get(0).getName())
        .containsExactlyInAnyOrder(
            tuple(
                "rota-user-" + viewer.partyId(),
                "rota",
                "ClusterRole",
                "view",
                "User",
                viewer.name()),
            tuple(
                "rota-user-" + member.partyId(),
                "rota",
                "ClusterRole",
                "edit",
                "User",
                member.name()),
            tuple(
                "rota-user-" + admin.partyId(),
                "rota",
                "ClusterRole",
                "admin",
                "User",
                admin.name()),
            tuple(
                "rota-user-" + owner.partyId(),
                "rota",
                "ClusterRole",
                "admin",
                "User",
                owner.name()),
            tuple(
                "rota-user-" + grouped.partyId(),
                "rota",
                "ClusterRole",
                "edit",
                "User",
                grouped.name()));
  }

  @Test
  void subprojects_get_namespaces_of_their_own_and_groups_none() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Limited", 2, 6);
    NodeRow subproject = tenancy.child(project, NodeKind.SUBPROJECT, "Sub", 1, null);

    reconcileSubtree(root.id());

    assertThat(kubernetes.namespaces().withName("rota-n" + project.id()).get()).isNotNull();
    assertThat(kubernetes.namespaces().withName("rota-n" + subproject.id()).get()).isNotNull();
    assertThat(kubernetes.namespaces().withName("rota-n" + root.id()).get()).isNull();
  }

  @Test
  void reconciling_twice_changes_nothing_and_duplicates_nothing() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Twice", 3, null);
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    String name = "rota-n" + project.id();

    reconcileSubtree(project.id());
    Snapshot first = snapshot(project, name);
    reconcileSubtree(project.id());
    Snapshot second = snapshot(project, name);

    assertThat(second).isEqualTo(first);
    assertThat(second.namespaces()).hasSize(1);
    assertThat(second.quotas()).as("the queue owns the GPU quota").isEmpty();
    assertThat(second.bindings()).hasSize(1);
  }

  @Test
  void a_member_who_loses_their_role_loses_their_role_binding() {
    NodeRow root = tenancy.root(0);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Leaving");
    UserRow staying = tenancy.user("staying");
    UserRow leaving = tenancy.user("leaving");
    tenancy.bind(project, staying.partyId(), Role.VIEWER);
    tenancy.bind(project, leaving.partyId(), Role.ADMIN);
    reconcileSubtree(project.id());

    tenancy.transactions().write("admin", c -> roles.unbind(c, project.id(), leaving.partyId()));
    reconcileSubtree(project.id());

    assertThat(bindingNames("rota-n" + project.id()))
        .containsExactly("rota-user-" + staying.partyId());
  }

  @Test
  void drift_made_by_hand_is_repaired_by_a_full_resync() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Drifting", 5, null);
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    reconcileSubtree(project.id());
    String name = "rota-n" + project.id();
    String orphan = "rota-n" + (900_000_000_000L + project.id());
    String foreign = "someone-else-" + TestTenancy.unique();

    kubernetes.resource(roleBinding(name, "rota-user-intruder", true)).create();
    kubernetes.resource(roleBinding(name, "made-by-hand", false)).create();
    String otherInstallations = "rota-n" + (900_000_000_001L + project.id());
    kubernetes.resource(namespace(orphan, installation.id())).create();
    kubernetes.resource(namespace(foreign, null)).create();
    kubernetes.resource(namespace(otherInstallations, "another-installation")).create();

    int reconciled = resyncAll();

    assertThat(reconciled).isGreaterThanOrEqualTo(1);
    assertThat(bindingNames(name))
        .containsExactlyInAnyOrder("rota-user-" + member.partyId(), "made-by-hand");
    assertThat(kubernetes.namespaces().withName(orphan).get())
        .as("a managed namespace whose node does not exist")
        .isNull();
    assertThat(kubernetes.namespaces().withName(foreign).get())
        .as("a namespace Rota does not manage")
        .isNotNull();
    assertThat(kubernetes.namespaces().withName(otherInstallations).get())
        .as("a namespace of another installation on the same cluster")
        .isNotNull();
    assertThat(kubernetes.namespaces().withName(name).get()).isNotNull();
  }

  @Test
  void renaming_and_moving_a_project_keeps_its_namespace() {
    NodeRow root = tenancy.root(0);
    NodeRow from = tenancy.child(root, NodeKind.GROUP, "From");
    NodeRow to = tenancy.child(root, NodeKind.GROUP, "To");
    NodeRow project = tenancy.child(from, NodeKind.PROJECT, "Old name");
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    reconcileSubtree(project.id());
    String name = "rota-n" + project.id();

    tenancy
        .transactions()
        .write("admin", c -> nodes.rename(c, project.id(), "New name", "new_name"));
    reconcileSubtree(project.id());
    tenancy.transactions().write("admin", c -> nodes.move(c, project.id(), to.id()));
    reconcileSubtree(project.id());

    assertThat(
            kubernetes
                .namespaces()
                .withLabel(NamespaceReconciler.NODE_ID, String.valueOf(project.id()))
                .list()
                .getItems())
        .extracting(ns -> ns.getMetadata().getName())
        .containsExactly(name);
    assertThat(kubernetes.namespaces().withName(name).get().getMetadata().getAnnotations())
        .containsEntry(NamespaceReconciler.PATH, root.label() + "/to/new_name");
    assertThat(bindingNames(name)).containsExactly("rota-user-" + member.partyId());
  }

  @Test
  void removing_deleted_nodes_deletes_their_namespaces() {
    NodeRow root = tenancy.root(0);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Doomed");
    NodeRow subproject = tenancy.child(project, NodeKind.SUBPROJECT, "Doomed too");
    NodeRow survivor = tenancy.child(root, NodeKind.PROJECT, "Survivor");
    reconcileSubtree(root.id());
    assertThat(kubernetes.namespaces().withName("rota-n" + subproject.id()).get()).isNotNull();

    List<Long> deleted =
        tenancy
            .transactions()
            .write(
                "admin",
                c -> {
                  List<Long> removed = nodes.deleteSubtree(c, project.id());
                  reconciler.enqueueRemoved(c, removed);
                  return removed;
                });
    worker.drain();

    assertThat(deleted).containsExactlyInAnyOrder(project.id(), subproject.id());
    assertThat(kubernetes.namespaces().withName("rota-n" + project.id()).get()).isNull();
    assertThat(kubernetes.namespaces().withName("rota-n" + subproject.id()).get()).isNull();
    assertThat(kubernetes.namespaces().withName("rota-n" + survivor.id()).get()).isNotNull();
  }

  /**
   * A group can be bound anywhere in the tree, so a membership change must reach namespaces outside
   * the group's own subtree at once, granting and revoking, not only at the next full resync; and
   * only those where that group itself is bound (membership does not climb to the groups above).
   */
  @Test
  void a_membership_change_reaches_every_namespace_where_the_group_is_bound_and_no_other() {
    NodeRow root = tenancy.root(0);
    NodeRow ml = tenancy.child(root, NodeKind.GROUP, "ML");
    NodeRow ops = tenancy.child(root, NodeKind.GROUP, "Ops");
    NodeRow infra = tenancy.child(ops, NodeKind.PROJECT, "Infra");
    NodeRow tools = tenancy.child(ops, NodeKind.PROJECT, "Tools");
    tenancy.bind(infra, ml.partyId(), Role.MEMBER);
    tenancy.bind(tools, root.partyId(), Role.VIEWER);
    UserRow joining = tenancy.user("joining");
    reconcileSubtree(root.id());
    PartyService parties = new PartyService();
    parties.transactions = tenancy.transactions();
    parties.authorization = new AuthorizationService();
    parties.namespaces = reconciler;
    Caller admin = new Caller("platform-admin", "platform-admin", "test", Set.of(), true);
    String binding = "rota-user-" + joining.partyId();

    parties.addMember(admin, ml.id(), joining.name());
    worker.drain();

    assertThat(bindingNames("rota-n" + infra.id())).containsExactly(binding);
    assertThat(bindingNames("rota-n" + tools.id()))
        .as("root is bound there, and a member of ml is not a member of root")
        .isEmpty();

    parties.removeMember(admin, ml.id(), joining.name());
    worker.drain();

    assertThat(bindingNames("rota-n" + infra.id())).isEmpty();
    assertThat(bindingNames("rota-n" + tools.id())).isEmpty();
  }

  @Test
  void namespaces_carry_this_installation_and_pod_security_and_keep_labels_others_added() {
    NodeRow root = tenancy.root(0);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Labelled");
    reconcileSubtree(project.id());
    String name = "rota-n" + project.id();
    kubernetes
        .namespaces()
        .withName(name)
        .edit(
            ns -> {
              ns.getMetadata().getLabels().put("team.example.com/cost-center", "42");
              return ns;
            });

    reconcileSubtree(project.id());

    assertThat(kubernetes.namespaces().withName(name).get().getMetadata().getLabels())
        .containsEntry(Installation.LABEL, installation.id())
        .containsEntry(NamespaceReconciler.POD_SECURITY, "baseline")
        .containsEntry("team.example.com/cost-center", "42");
  }

  @Test
  void a_namespace_of_the_same_name_owned_by_another_installation_is_never_taken_over() {
    NodeRow root = tenancy.root(0);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Contested");
    String name = "rota-n" + project.id();
    kubernetes.resource(namespace(name, "another-installation")).create();

    reconcileSubtree(project.id());

    assertThat(kubernetes.namespaces().withName(name).get().getMetadata().getLabels())
        .containsEntry(Installation.LABEL, "another-installation")
        .doesNotContainKey(NamespaceReconciler.POD_SECURITY);
    assertThat(kubernetes.resourceQuotas().inNamespace(name).list().getItems()).isEmpty();
    SyncState state = syncState(project.id());
    assertThat(state.sync()).isEqualTo("failed");
    assertThat(state.lastError()).contains("another Rota installation");
  }

  /**
   * A second installation (say a restored backup, with the same node ids) pointed at the same
   * cluster runs its full resync: it finds none of its own namespaces to delete, and refuses to
   * take over ours.
   */
  @Test
  void a_second_installations_resync_never_touches_this_installations_namespaces() {
    NodeRow root = tenancy.root(0);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Ours", 0, null);
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    reconcileSubtree(project.id());
    String name = "rota-n" + project.id();
    Snapshot before = snapshot(project, name);
    NamespaceReconciler second = reconcilerOf(kubernetes, new Installation("second-installation"));
    OutboxWorker secondWorker =
        new OutboxWorker(
            tenancy.transactions(),
            List.of(second),
            new OutboxWorker.Settings(
                Duration.ofSeconds(30), 20, Duration.ofMillis(20), Duration.ofMillis(200)),
            OutboxWorker.Observer.NONE);

    new FullResync(tenancy.transactions(), new Outbox())
        .runIfLeader(List.of(second), "namespace-reconciler-it", Duration.ofSeconds(30));
    secondWorker.drain();

    assertThat(snapshot(project, name)).isEqualTo(before);
    assertThat(kubernetes.namespaces().withName(name).get().getMetadata().getLabels())
        .containsEntry(Installation.LABEL, installation.id());
    worker.drain(); // leave the outbox to this installation's worker
  }

  /**
   * The API server answers 500 to a run of requests, then 409 to another, then works: every
   * namespace converges through the outbox's backoff, and each was created exactly once.
   */
  @Test
  void after_the_api_server_fails_for_a_while_every_namespace_converges_created_once() {
    try (FlakyCluster flaky = new FlakyCluster()) {
      use(flaky.client());
      java.util.concurrent.atomic.AtomicInteger failures =
          new java.util.concurrent.atomic.AtomicInteger();
      worker =
          new OutboxWorker(
              tenancy.transactions(),
              List.of(reconciler),
              new OutboxWorker.Settings(
                  Duration.ofSeconds(30), 20, Duration.ofMillis(20), Duration.ofMillis(200)),
              (kind, took, ok) -> failures.addAndGet(ok ? 0 : 1));
      NodeRow root = tenancy.root(0);
      UserRow member = tenancy.user("member");
      tenancy.bind(root, member.partyId(), Role.VIEWER);
      List<NodeRow> projects =
          java.util.stream.IntStream.range(0, 12)
              .mapToObj(i -> tenancy.child(root, NodeKind.PROJECT, "P" + i, 0, i))
              .toList();

      flaky.fail(30, 500);
      reconcileSubtree(root.id());
      awaitSynced(projects);
      flaky.fail(8, 409);
      tenancy
          .transactions()
          .write(
              "test",
              c -> {
                reconciler.enqueueSubtree(c, root.id());
                return null;
              });
      awaitSynced(projects);

      assertThat(failures.get()).as("the faults reached the loop").isGreaterThan(0);
      for (NodeRow project : projects) {
        String name = "rota-n" + project.id();
        assertThat(bindingNames(name)).containsExactly("rota-user-" + member.partyId());
      }
      long namespaces = kubernetes.namespaces().list().getItems().size();
      long created =
          flaky.exchanges().stream()
              .filter(e -> e.method().equals("POST") && e.status() == 201)
              .filter(
                  e ->
                      e.path().startsWith("/api/v1/namespaces?")
                          || e.path().equals("/api/v1/namespaces"))
              .count();
      assertThat(created).as("no namespace created twice").isEqualTo(namespaces);
    }
  }

  /** Drains until every node is synced, with a deadline. */
  private void awaitSynced(List<NodeRow> nodes) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!nodes.stream().allMatch(n -> syncState(n.id()).synced())) {
      assertThat(System.nanoTime()).as("converged within 60 s").isLessThan(deadline);
      worker.drain();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private SyncState syncState(long nodeId) {
    return tenancy
        .transactions()
        .read(c -> new Outbox().state(c, NamespaceReconciler.KIND, String.valueOf(nodeId)));
  }

  /** What the cluster holds for one node, without the fields the API server sets. */
  private record Snapshot(
      List<Map<String, String>> namespaces, List<Object> quotas, List<Object> bindings) {}

  private Snapshot snapshot(NodeRow node, String name) {
    return new Snapshot(
        kubernetes
            .namespaces()
            .withLabel(NamespaceReconciler.NODE_ID, String.valueOf(node.id()))
            .list()
            .getItems()
            .stream()
            .map(ns -> ns.getMetadata().getLabels())
            .toList(),
        kubernetes.resourceQuotas().inNamespace(name).list().getItems().stream()
            .map(q -> (Object) List.of(q.getMetadata().getName(), q.getSpec()))
            .toList(),
        kubernetes.rbac().roleBindings().inNamespace(name).list().getItems().stream()
            .map(
                rb ->
                    (Object) List.of(rb.getMetadata().getName(), rb.getRoleRef(), rb.getSubjects()))
            .toList());
  }

  /**
   * The hard GPU requests of the namespace's Rota quota, or null when there is none: the queue
   * applies it (it follows what the queue admits), never tenancy.
   */
  private String gpuQuota(String namespace) {
    ResourceQuota quota =
        kubernetes.resourceQuotas().inNamespace(namespace).withName("rota-gpu-quota").get();
    return quota == null
        ? null
        : quota.getSpec().getHard().get("requests.nvidia.com/gpu").toString();
  }

  private List<String> bindingNames(String namespace) {
    return kubernetes.rbac().roleBindings().inNamespace(namespace).list().getItems().stream()
        .map(rb -> rb.getMetadata().getName())
        .toList();
  }

  private static RoleBinding roleBinding(String namespace, String name, boolean managed) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(managed ? Map.of(MANAGED, "rota") : Map.of())
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName("admin")
        .endRoleRef()
        .addNewSubject()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("User")
        .withName("mallory")
        .endSubject()
        .build();
  }

  /** A namespace; managed by Rota and labelled with {@code installation} unless it is null. */
  private static Namespace namespace(String name, String installation) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(
            installation == null
                ? Map.of()
                : Map.of(
                    MANAGED,
                    "rota",
                    Installation.LABEL,
                    installation,
                    NamespaceReconciler.NODE_ID,
                    name.substring("rota-n".length())))
        .endMetadata()
        .build();
  }
}
