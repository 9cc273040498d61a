package dev.rota.tenancy.internal.application;

import dev.rota.platform.ClusterApply;
import dev.rota.platform.Installation;
import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.SyncState;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.NamespaceName;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes the cluster match the database, one node at a time, as the outbox kind {@value #KIND}: each
 * project and subproject has a namespace (named from its id, so renames and moves keep it) and a
 * RoleBinding per user with an effective role there; a node that is gone loses its namespace. The
 * namespace's GPU ResourceQuota belongs to the queue, which sets it to what it admits there.
 * Services only enqueue node ids, in their write transactions; the platform's workers call {@link
 * #reconcile}. Everything applied carries this installation's label, and a namespace labelled by
 * another installation is never touched.
 */
@ApplicationScoped
public class NamespaceReconciler implements Reconciler {

  public static final String KIND = "tenancy.namespace";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String NODE_ID = "rota.dev/node-id";
  public static final String PATH = "rota.dev/path";
  public static final String POD_SECURITY = "pod-security.kubernetes.io/enforce";

  /** Kubernetes' built-in cluster roles for each Rota role. */
  static final Map<Role, String> CLUSTER_ROLES =
      Map.of(Role.VIEWER, "view", Role.MEMBER, "edit", Role.ADMIN, "admin", Role.OWNER, "admin");

  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();

  @Inject KubernetesClient kubernetes;
  @Inject Transactions transactions;
  @Inject Outbox outbox;
  @Inject Installation installation;

  @Inject
  @ConfigProperty(name = "rota.tenancy.pod-security-level", defaultValue = "baseline")
  String podSecurityLevel = "baseline";

  /** Enqueues every namespace at or below the node, in the caller's transaction. */
  public void enqueueSubtree(Connection c, long nodeId) throws SQLException {
    outbox.enqueueAll(c, KIND, keys(nodes.namespaced(c, nodeId).stream().map(NodeRow::id)));
  }

  /** Enqueues wherever a change of the group's members changes who holds which role. */
  public void enqueueForGroup(Connection c, long groupNodeId) throws SQLException {
    for (long bound : roles.nodesBoundToGroup(c, groupNodeId)) {
      enqueueSubtree(c, bound);
    }
  }

  /** Enqueues deleted nodes, whose namespaces go. */
  public void enqueueRemoved(Connection c, Collection<Long> nodeIds) throws SQLException {
    outbox.enqueueAll(c, KIND, keys(nodeIds.stream()));
  }

  /** Where the node's namespace stands (after the caller was allowed to see the node). */
  public SyncState syncState(long nodeId) {
    return transactions.read(c -> outbox.state(c, KIND, String.valueOf(nodeId)));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void reconcile(String key) {
    long id = Long.parseLong(key);
    Optional<Desired> desired =
        transactions.read(
            c -> {
              Optional<NodeRow> node = nodes.find(c, id).filter(n -> n.kind().hasNamespace());
              return node.isEmpty()
                  ? Optional.<Desired>empty()
                  : Optional.of(new Desired(node.get(), roles.effectiveMembers(c, id)));
            });
    String name = NamespaceName.of(id);
    Namespace existing = kubernetes.namespaces().withName(name).get();
    if (existing != null && !ours(existing)) {
      throw new IllegalStateException(
          "Namespace " + name + " belongs to another Rota installation; it is left alone.");
    }
    if (desired.isPresent()) {
      apply(desired.get(), name);
    } else if (existing != null) {
      kubernetes.namespaces().withName(name).delete();
    }
  }

  /** Every namespaced node, and every node id that this installation's namespaces name. */
  @Override
  public Collection<String> resyncKeys() {
    Set<String> keys = new TreeSet<>();
    keys.addAll(transactions.read(c -> keys(nodes.namespaced(c, null).stream().map(NodeRow::id))));
    kubernetes
        .namespaces()
        .withLabel(Installation.LABEL, installation.id())
        .list()
        .getItems()
        .stream()
        .map(ns -> ns.getMetadata().getLabels().get(NODE_ID))
        .filter(id -> id != null && id.matches("\\d{1,18}"))
        .forEach(keys::add);
    return keys;
  }

  /** Namespaces by their node-id label, role bindings by their namespace's name. */
  @Override
  public List<Watched<?>> watched() {
    return List.of(
        new Watched<>(Namespace.class, ns -> nodeIdOf(ns.getMetadata().getName())),
        new Watched<>(RoleBinding.class, rb -> nodeIdOf(rb.getMetadata().getNamespace())));
  }

  private static Optional<String> nodeIdOf(String namespace) {
    return namespace != null && namespace.matches(NamespaceName.PREFIX + "\\d{1,18}")
        ? Optional.of(namespace.substring(NamespaceName.PREFIX.length()))
        : Optional.empty();
  }

  private boolean ours(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(Installation.LABEL);
    // Namespaces from before installation labels existed are adopted by their node's reconcile.
    return owner == null || owner.equals(installation.id());
  }

  private void apply(Desired desired, String name) {
    ClusterApply cluster = new ClusterApply(kubernetes);
    cluster.apply(labelled(namespace(desired.node(), name)));
    Set<String> bindings = new HashSet<>();
    for (RoleGrant grant : desired.members()) {
      RoleBinding binding = labelled(roleBinding(name, grant));
      bindings.add(binding.getMetadata().getName());
      cluster.apply(binding);
    }
    kubernetes
        .rbac()
        .roleBindings()
        .inNamespace(name)
        .withLabel(MANAGED_BY, "rota")
        .list()
        .getItems()
        .stream()
        .filter(rb -> !bindings.contains(rb.getMetadata().getName()) && ours(rb))
        .forEach(rb -> kubernetes.resource(rb).inNamespace(name).delete());
  }

  private <T extends HasMetadata> T labelled(T object) {
    object.getMetadata().getLabels().put(Installation.LABEL, installation.id());
    if (object instanceof Namespace) {
      object.getMetadata().getLabels().put(POD_SECURITY, podSecurityLevel);
    }
    return object;
  }

  private static List<String> keys(java.util.stream.Stream<Long> ids) {
    return ids.map(String::valueOf).toList();
  }

  static Namespace namespace(NodeRow node, String name) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(MANAGED_BY, "rota")
        .addToLabels(NODE_ID, String.valueOf(node.id()))
        .addToAnnotations(PATH, NodeLabel.toSlashPath(node.path()))
        .endMetadata()
        .build();
  }

  static RoleBinding roleBinding(String namespace, RoleGrant grant) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName("rota-user-" + grant.partyId())
        .withNamespace(namespace)
        .addToLabels(MANAGED_BY, "rota")
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(CLUSTER_ROLES.get(grant.role()))
        .endRoleRef()
        .addNewSubject()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("User")
        .withName(grant.partyName())
        .endSubject()
        .build();
  }

  private record Desired(NodeRow node, List<RoleGrant> members) {}
}
