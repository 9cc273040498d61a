package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import dev.rota.tenancy.TenancyException.NodeNotEmpty;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Use cases of the tenancy tree. Each runs in one transaction that checks the caller's role and
 * makes the change; the database keeps paths, kinds and guarantees right. The same transaction
 * enqueues the namespaces to reconcile; Kubernetes follows through the controller loop.
 */
@ApplicationScoped
public class TreeService {

  private final NodeRepository nodes = new NodeRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject NamespaceReconciler namespaces;

  /**
   * A new node: a top-level group (platform administrators only) or a child of {@code parentId}.
   */
  public NodeRow create(
      Caller caller, NodeKind kind, Long parentId, String name, int guaranteed, Integer limit) {
    NodeLabel label = NodeLabel.fromName(name);
    if (parentId == null && kind != NodeKind.GROUP) {
      throw new InvalidTenancyRequest(
          "Only a group can be at the top of the tree; give a parentId.");
    }
    NodeRow created =
        transactions.write(
            caller.name(),
            c -> {
              if (parentId == null) {
                requirePlatformAdmin(caller, "create a top-level group");
              } else {
                authorization.require(c, caller, parentId, Role.ADMIN, "create a child node");
              }
              NodeRow inserted =
                  nodes.insert(c, kind, parentId, name.strip(), label.value(), guaranteed, limit);
              namespaces.enqueueSubtree(c, inserted.id());
              return inserted;
            });
    return created;
  }

  public NodeRow get(Caller caller, long id) {
    return transactions.read(c -> visible(c, caller, id));
  }

  public NodeRow getByPath(Caller caller, String slashPath) {
    String path = NodeLabel.toLtree(slashPath);
    return transactions.read(
        c -> {
          NodeRow node = nodes.findByPath(c, path).orElseThrow(() -> new NodeNotFound(slashPath));
          return visible(c, caller, node.id());
        });
  }

  /** The subtree below a node to {@code depth} levels, {@code limit + 1} rows after the cursor. */
  public List<NodeRow> descendants(Caller caller, long id, int depth, String afterPath, int limit) {
    return transactions.read(
        c -> {
          visible(c, caller, id);
          return nodes.descendants(c, id, depth, afterPath, limit + 1);
        });
  }

  public List<NodeRow> ancestors(Caller caller, long id) {
    return transactions.read(
        c -> {
          visible(c, caller, id);
          return nodes.ancestors(c, id);
        });
  }

  public NodeRow rename(Caller caller, long id, String name) {
    NodeLabel label = NodeLabel.fromName(name);
    NodeRow renamed =
        transactions.write(
            caller.name(),
            c -> {
              authorization.require(c, caller, id, Role.ADMIN, "rename this node");
              NodeRow row = nodes.rename(c, id, name.strip(), label.value()).orElseThrow();
              namespaces.enqueueSubtree(c, id); // path annotations follow the new name
              return row;
            });
    return renamed;
  }

  /** Moves the subtree of {@code id} under {@code newParentId} in one transaction. */
  public NodeRow move(Caller caller, long id, long newParentId) {
    NodeRow moved =
        transactions.write(
            caller.name(),
            c -> {
              authorization.require(c, caller, id, Role.ADMIN, "move this node");
              authorization.require(c, caller, newParentId, Role.ADMIN, "move a node here");
              NodeRow row = nodes.move(c, id, newParentId).orElseThrow();
              namespaces.enqueueSubtree(c, id);
              return row;
            });
    return moved;
  }

  /** Sets the GPU guarantee and limit; decided by the administrators of the parent. */
  public NodeRow setQuota(Caller caller, long id, int guaranteed, Integer limit) {
    NodeRow changed =
        transactions.write(
            caller.name(),
            c -> {
              NodeRow node = visible(c, caller, id);
              requireAdminOfParent(c, caller, node, "set this node's GPU quota");
              NodeRow row = nodes.setQuota(c, id, guaranteed, limit).orElseThrow();
              namespaces.enqueueSubtree(c, id);
              return row;
            });
    return changed;
  }

  /** Deletes a node; a node with descendants only when {@code recursive}. */
  public void delete(Caller caller, long id, boolean recursive) {
    List<Long> removed =
        transactions.write(
            caller.name(),
            c -> {
              NodeRow node = visible(c, caller, id);
              requireAdminOfParent(c, caller, node, "delete this node");
              long below = nodes.countDescendants(c, id);
              if (below > 0 && !recursive) {
                throw new NodeNotEmpty(id, below);
              }
              List<Long> deleted = nodes.deleteSubtree(c, id);
              namespaces.enqueueRemoved(c, deleted);
              return deleted;
            });
  }

  private NodeRow visible(Connection c, Caller caller, long id) throws SQLException {
    authorization.require(c, caller, id, Role.VIEWER, "see this node");
    return nodes.find(c, id).orElseThrow(() -> new NodeNotFound(String.valueOf(id)));
  }

  private void requireAdminOfParent(Connection c, Caller caller, NodeRow node, String what) {
    Optional<Long> parent = Optional.ofNullable(node.parentId());
    if (parent.isEmpty()) {
      requirePlatformAdmin(caller, what);
    } else {
      try {
        authorization.require(c, caller, parent.get(), Role.ADMIN, what);
      } catch (NodeNotFound parentUnseen) {
        // The caller sees this node but not its parent: say no without naming the parent.
        throw new Forbidden(Role.ADMIN, what + " (decided by the administrators of the parent)");
      }
    }
  }

  private static void requirePlatformAdmin(Caller caller, String what) {
    if (!caller.platformAdmin()) {
      throw new Forbidden(Role.OWNER, what + " (platform administrators only)");
    }
  }
}
