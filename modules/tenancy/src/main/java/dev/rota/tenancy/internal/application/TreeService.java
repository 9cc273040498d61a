package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import dev.rota.tenancy.TenancyException.NodeNotEmpty;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository;
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
  private final PartyRepository parties = new PartyRepository();
  private final RoleRepository roles = new RoleRepository();

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
                ParentAdministrators.requirePlatformAdmin(caller, "create a top-level group");
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

  /**
   * A node by path. A node the caller cannot see answers exactly as one that does not exist: the
   * same problem, naming only the path asked for.
   */
  public NodeRow getByPath(Caller caller, String slashPath) {
    String path = NodeLabel.toLtree(slashPath);
    return transactions.read(
        c -> {
          Optional<NodeRow> node = nodes.findByPath(c, path);
          if (node.isEmpty() || authorization.effectiveRole(c, caller, node.get().id()).isEmpty()) {
            throw new NodeNotFound(slashPath);
          }
          return node.get();
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

  /**
   * The ancestors of a node that the caller can see, root first. Roles inherit downwards, so these
   * are the lower end of the chain; ancestors above the caller's highest binding are left out
   * entirely (not even their ids), as for any node the caller cannot see.
   */
  public List<NodeRow> ancestors(Caller caller, long id) {
    return transactions.read(
        c -> {
          visible(c, caller, id);
          if (caller.platformAdmin()) {
            return nodes.ancestors(c, id);
          }
          long party = parties.findUser(c, caller.name()).orElseThrow().partyId();
          return roles.visibleAncestors(c, party, id);
        });
  }

  /**
   * Renames a node, which changes its label among its siblings: decided by the administrators of
   * the parent (platform administrators for a top-level group), who see every sibling, so that the
   * sibling-label conflict never tells anyone about a node they cannot see.
   */
  public NodeRow rename(Caller caller, long id, String name) {
    NodeLabel label = NodeLabel.fromName(name);
    NodeRow renamed =
        transactions.write(
            caller.name(),
            c -> {
              NodeRow node = visible(c, caller, id);
              requireAdminOfParent(c, caller, node, "rename this node");
              NodeRow row = nodes.rename(c, id, name.strip(), label.value()).orElseThrow();
              namespaces.enqueueSubtree(c, id); // path annotations follow the new name
              return row;
            });
    return renamed;
  }

  /**
   * Moves the subtree of {@code id} under {@code newParentId} in one transaction. It leaves its
   * current parent and joins the new one, so it needs admin at both: an admin of the node alone
   * could otherwise take it away from the parent's owners.
   */
  public NodeRow move(Caller caller, long id, long newParentId) {
    NodeRow moved =
        transactions.write(
            caller.name(),
            c -> {
              NodeRow node = visible(c, caller, id);
              requireAdminOfParent(c, caller, node, "move this node away from its parent");
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
    ParentAdministrators.require(authorization, c, caller, node, what);
  }
}
