package dev.rota.tenancy.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Caller;
import dev.rota.platform.internal.kubernetes.SimulatedCluster;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against fabric8's CRUD mock API server and the real database: what it creates,
 * that it is idempotent, and that resync repairs drift. Resync covers every node in the shared
 * database, so assertions look at this test's namespaces only.
 */
class NamespaceReconcilerIT {

  private static final String MANAGED = NamespaceReconciler.MANAGED_BY;

  private final TestTenancy tenancy = new TestTenancy();
  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();
  private SimulatedCluster cluster;
  private KubernetesClient kubernetes;
  private NamespaceReconciler reconciler;

  @BeforeEach
  void start_a_cluster() {
    cluster = SimulatedCluster.start(1, 8, List.of("pool"));
    kubernetes = cluster.client();
    reconciler = new NamespaceReconciler();
    reconciler.kubernetes = kubernetes;
    reconciler.transactions = tenancy.transactions();
  }

  @AfterEach
  void clean_up() {
    cluster.close();
    tenancy.close();
  }

  @Test
  void a_project_gets_a_namespace_with_its_gpu_quota_and_a_role_binding_per_member() {
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

    reconciler.reconcileSubtree(project.id());

    String name = "rota-n" + project.id();
    Namespace namespace = kubernetes.namespaces().withName(name).get();
    assertThat(namespace).isNotNull();
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry(NamespaceReconciler.NODE_ID, String.valueOf(project.id()))
        .containsEntry(MANAGED, "rota");
    assertThat(namespace.getMetadata().getAnnotations())
        .containsEntry(NamespaceReconciler.PATH, root.label() + "/vision");
    assertThat(gpuQuota(name)).isEqualTo("4");
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
  void subprojects_get_namespaces_of_their_own_groups_none_and_a_limit_sets_the_quota() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Limited", 2, 6);
    NodeRow subproject = tenancy.child(project, NodeKind.SUBPROJECT, "Sub", 1, null);

    reconciler.reconcileSubtree(root.id());

    assertThat(gpuQuota("rota-n" + project.id())).as("the limit, not the guarantee").isEqualTo("6");
    assertThat(gpuQuota("rota-n" + subproject.id())).isEqualTo("1");
    assertThat(kubernetes.namespaces().withName("rota-n" + root.id()).get()).isNull();
  }

  @Test
  void reconciling_twice_changes_nothing_and_duplicates_nothing() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Twice", 3, null);
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    String name = "rota-n" + project.id();

    reconciler.reconcileSubtree(project.id());
    Snapshot first = snapshot(project, name);
    reconciler.reconcileSubtree(project.id());
    Snapshot second = snapshot(project, name);

    assertThat(second).isEqualTo(first);
    assertThat(second.namespaces()).hasSize(1);
    assertThat(second.quotas()).hasSize(1);
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
    reconciler.reconcileSubtree(project.id());

    tenancy.transactions().write("admin", c -> roles.unbind(c, project.id(), leaving.partyId()));
    reconciler.reconcileSubtree(project.id());

    assertThat(bindingNames("rota-n" + project.id()))
        .containsExactly("rota-user-" + staying.partyId());
  }

  @Test
  void drift_made_by_hand_is_repaired_by_a_full_resync() {
    NodeRow root = tenancy.root(8);
    NodeRow project = tenancy.child(root, NodeKind.PROJECT, "Drifting", 5, null);
    UserRow member = tenancy.user("member");
    tenancy.bind(project, member.partyId(), Role.MEMBER);
    reconciler.reconcileSubtree(project.id());
    String name = "rota-n" + project.id();
    String orphan = "rota-n" + (900_000_000_000L + project.id());
    String foreign = "someone-else-" + TestTenancy.unique();

    kubernetes.resourceQuotas().inNamespace(name).withName(NamespaceReconciler.QUOTA_NAME).delete();
    kubernetes.resource(roleBinding(name, "rota-user-intruder", true)).create();
    kubernetes.resource(roleBinding(name, "made-by-hand", false)).create();
    kubernetes.resource(namespace(orphan, true)).create();
    kubernetes.resource(namespace(foreign, false)).create();
    assertThat(gpuQuota(name)).isNull();

    int reconciled = reconciler.resyncAll();

    assertThat(reconciled).isGreaterThanOrEqualTo(1);
    assertThat(gpuQuota(name)).isEqualTo("5");
    assertThat(bindingNames(name))
        .containsExactlyInAnyOrder("rota-user-" + member.partyId(), "made-by-hand");
    assertThat(kubernetes.namespaces().withName(orphan).get())
        .as("a managed namespace whose node does not exist")
        .isNull();
    assertThat(kubernetes.namespaces().withName(foreign).get())
        .as("a namespace Rota does not manage")
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
    reconciler.reconcileSubtree(project.id());
    String name = "rota-n" + project.id();

    tenancy
        .transactions()
        .write("admin", c -> nodes.rename(c, project.id(), "New name", "new_name"));
    reconciler.reconcileSubtree(project.id());
    tenancy.transactions().write("admin", c -> nodes.move(c, project.id(), to.id()));
    reconciler.reconcileSubtree(project.id());

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
    reconciler.reconcileSubtree(root.id());
    assertThat(kubernetes.namespaces().withName("rota-n" + subproject.id()).get()).isNotNull();

    List<Long> deleted =
        tenancy.transactions().write("admin", c -> nodes.deleteSubtree(c, project.id()));
    reconciler.remove(deleted);

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
    reconciler.reconcileSubtree(root.id());
    PartyService parties = new PartyService();
    parties.transactions = tenancy.transactions();
    parties.authorization = new AuthorizationService();
    parties.namespaces = reconciler;
    Caller admin = new Caller("platform-admin", "platform-admin", "test", Set.of(), true);
    String binding = "rota-user-" + joining.partyId();

    parties.addMember(admin, ml.id(), joining.name());

    assertThat(bindingNames("rota-n" + infra.id())).containsExactly(binding);
    assertThat(bindingNames("rota-n" + tools.id()))
        .as("root is bound there, and a member of ml is not a member of root")
        .isEmpty();

    parties.removeMember(admin, ml.id(), joining.name());

    assertThat(bindingNames("rota-n" + infra.id())).isEmpty();
    assertThat(bindingNames("rota-n" + tools.id())).isEmpty();
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

  /** The hard GPU requests of the namespace's Rota quota, or null when there is none. */
  private String gpuQuota(String namespace) {
    ResourceQuota quota =
        kubernetes
            .resourceQuotas()
            .inNamespace(namespace)
            .withName(NamespaceReconciler.QUOTA_NAME)
            .get();
    return quota == null
        ? null
        : quota.getSpec().getHard().get(NamespaceReconciler.GPU_REQUESTS).toString();
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

  private static Namespace namespace(String name, boolean managed) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(managed ? Map.of(MANAGED, "rota") : Map.of())
        .endMetadata()
        .build();
  }
}
