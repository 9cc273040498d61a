package dev.rota.tenancy.internal.application;

import dev.rota.platform.Transactions;
import dev.rota.tenancy.NamespaceName;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Makes the cluster match the database: each project and subproject has a namespace (named from its
 * id, so renames and moves keep it), a ResourceQuota for {@code requests.nvidia.com/gpu} and a
 * RoleBinding per user with an effective role there. Reconciling is idempotent; a failure is logged
 * and repaired by the periodic {@link #resyncAll()}, since the database stays the truth.
 */
@ApplicationScoped
public class NamespaceReconciler {

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String NODE_ID = "rota.dev/node-id";
  public static final String PATH = "rota.dev/path";
  public static final String QUOTA_NAME = "rota-gpu-quota";
  static final String GPU_REQUESTS = "requests.nvidia.com/gpu";

  /** Kubernetes' built-in cluster roles for each Rota role. */
  static final Map<Role, String> CLUSTER_ROLES =
      Map.of(Role.VIEWER, "view", Role.MEMBER, "edit", Role.ADMIN, "admin", Role.OWNER, "admin");

  private static final Logger LOG = Logger.getLogger(NamespaceReconciler.class.getName());

  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();

  @Inject KubernetesClient kubernetes;
  @Inject Transactions transactions;

  /** Reconciles every namespace at or below the node. */
  public void reconcileSubtree(long nodeId) {
    reconcile(nodeId);
  }

  /** Reconciles wherever a change of the group's members changes who holds which role. */
  public void reconcileForGroup(long groupNodeId) {
    transactions.read(c -> roles.nodesBoundToGroup(c, groupNodeId)).forEach(this::reconcile);
  }

  /** Deletes the namespaces of deleted nodes. */
  public void remove(Collection<Long> nodeIds) {
    for (long id : nodeIds) {
      try {
        kubernetes.namespaces().withName(NamespaceName.of(id)).delete();
      } catch (KubernetesClientException e) {
        LOG.log(
            Level.WARNING,
            "Could not delete namespace " + NamespaceName.of(id) + "; resync will",
            e);
      }
    }
  }

  /** Reconciles every namespace and deletes managed namespaces whose node is gone. */
  public int resyncAll() {
    Set<String> wanted = reconcile(null);
    List<Namespace> stale =
        kubernetes.namespaces().withLabel(MANAGED_BY, "rota").list().getItems().stream()
            .filter(ns -> !wanted.contains(ns.getMetadata().getName()))
            .toList();
    // A node created since the read above is not in `wanted`: ask again before deleting.
    stale.stream().filter(this::nodeIsGone).forEach(ns -> kubernetes.resource(ns).delete());
    return wanted.size();
  }

  private boolean nodeIsGone(Namespace namespace) {
    String id = namespace.getMetadata().getLabels().get(NODE_ID);
    if (id == null || !id.matches("\\d{1,18}")) {
      return true;
    }
    return transactions.read(c -> nodes.find(c, Long.parseLong(id)).isEmpty());
  }

  private Set<String> reconcile(Long rootId) {
    List<Desired> desired =
        transactions.read(
            c -> {
              List<NodeRow> namespaced = nodes.namespaced(c, rootId);
              List<Desired> all = new java.util.ArrayList<>(namespaced.size());
              for (NodeRow node : namespaced) {
                all.add(new Desired(node, roles.effectiveMembers(c, node.id())));
              }
              return all;
            });
    for (Desired one : desired) {
      try {
        apply(one);
      } catch (KubernetesClientException e) {
        LOG.log(Level.WARNING, "Could not reconcile node " + one.node().id() + "; resync will", e);
      }
    }
    return desired.stream().map(d -> NamespaceName.of(d.node().id())).collect(Collectors.toSet());
  }

  private void apply(Desired desired) {
    NodeRow node = desired.node();
    String name = NamespaceName.of(node.id());
    kubernetes.resource(namespace(node, name)).createOr(NonDeletingOperation::update);
    kubernetes.resource(quota(node, name)).inNamespace(name).createOr(NonDeletingOperation::update);
    Set<String> bindings = new java.util.HashSet<>();
    for (RoleGrant grant : desired.members()) {
      RoleBinding binding = roleBinding(name, grant);
      bindings.add(binding.getMetadata().getName());
      kubernetes.resource(binding).inNamespace(name).createOr(NonDeletingOperation::update);
    }
    kubernetes
        .rbac()
        .roleBindings()
        .inNamespace(name)
        .withLabel(MANAGED_BY, "rota")
        .list()
        .getItems()
        .stream()
        .filter(rb -> !bindings.contains(rb.getMetadata().getName()))
        .forEach(rb -> kubernetes.resource(rb).inNamespace(name).delete());
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

  static ResourceQuota quota(NodeRow node, String namespace) {
    int hard = node.gpuLimit() != null ? node.gpuLimit() : node.guaranteedGpus();
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName(QUOTA_NAME)
        .withNamespace(namespace)
        .addToLabels(MANAGED_BY, "rota")
        .endMetadata()
        .withNewSpec()
        .addToHard(GPU_REQUESTS, new Quantity(String.valueOf(hard)))
        .endSpec()
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
