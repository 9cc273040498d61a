package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.TenancyException.UserNotFound;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Role bindings at nodes. Administrators of a node bind roles up to admin there; only owners grant
 * owner. Effective roles follow from the bindings (see {@link RoleRepository}).
 */
@ApplicationScoped
public class RoleService {

  private final RoleRepository roles = new RoleRepository();
  private final PartyRepository parties = new PartyRepository();
  private final NodeRepository nodes = new NodeRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject NamespaceReconciler namespaces;

  /** Who a binding is for: a user by name or a group by its path (acme/ml). */
  public record PartyRef(String user, String group) {}

  public void bind(Caller caller, long nodeId, PartyRef party, Role role) {
    transactions.write(
        caller.name(),
        c -> {
          Role mine = authorization.require(c, caller, nodeId, Role.ADMIN, "grant roles here");
          if (role == Role.OWNER && mine != Role.OWNER) {
            throw new Forbidden(Role.OWNER, "grant the owner role");
          }
          roles.bind(c, nodeId, partyId(c, party), role);
          namespaces.enqueueSubtree(c, nodeId);
          return null;
        });
  }

  public boolean unbind(Caller caller, long nodeId, PartyRef party) {
    boolean removed =
        transactions.write(
            caller.name(),
            c -> {
              authorization.require(c, caller, nodeId, Role.ADMIN, "remove roles here");
              boolean unbound = roles.unbind(c, nodeId, partyId(c, party));
              namespaces.enqueueSubtree(c, nodeId);
              return unbound;
            });
    return removed;
  }

  public List<RoleGrant> direct(Caller caller, long nodeId) {
    return transactions.read(
        c -> {
          authorization.require(c, caller, nodeId, Role.VIEWER, "see this node's members");
          return roles.direct(c, nodeId);
        });
  }

  public List<RoleGrant> effective(Caller caller, long nodeId) {
    return transactions.read(
        c -> {
          authorization.require(c, caller, nodeId, Role.VIEWER, "see this node's members");
          return roles.effectiveMembers(c, nodeId);
        });
  }

  /** Every node the caller holds a role at, in path order, {@code limit + 1} after the cursor. */
  public List<NodeRow> visibleNodes(Caller caller, String afterPath, int limit) {
    return transactions.read(
        c ->
            parties
                .findUser(c, caller.name())
                .map(
                    user -> {
                      try {
                        return roles.visibleNodes(c, user.partyId(), afterPath, limit + 1);
                      } catch (SQLException e) {
                        throw new dev.rota.platform.Transactions.DatabaseFailure(e);
                      }
                    })
                .orElse(List.of()));
  }

  private long partyId(Connection c, PartyRef party) throws SQLException {
    if ((party.user() == null) == (party.group() == null)) {
      throw new InvalidTenancyRequest("Name exactly one of user or group.");
    }
    if (party.user() != null) {
      return parties
          .findUser(c, party.user())
          .orElseThrow(() -> new UserNotFound(party.user()))
          .partyId();
    }
    NodeRow group =
        nodes
            .findByPath(c, NodeLabel.toLtree(party.group()))
            .filter(n -> n.partyId() != null)
            .orElseThrow(() -> new NodeNotFound("group " + party.group()));
    return group.partyId();
  }
}
