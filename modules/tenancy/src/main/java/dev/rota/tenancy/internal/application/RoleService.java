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
import dev.rota.tenancy.internal.domain.UserName;
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
import java.util.Optional;

/**
 * Role bindings at nodes. Administrators of a node bind roles up to admin there; only owners grant,
 * change or remove an owner's binding. A group is bound only by someone who can see the group's own
 * node; to anyone else a group they cannot see does not exist. Effective roles follow from the
 * bindings (see {@link RoleRepository}).
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
          long partyId = partyId(c, caller, nodeId, party, false);
          Optional<Role> current = roles.boundRole(c, nodeId, partyId);
          if ((role == Role.OWNER || current.equals(Optional.of(Role.OWNER)))
              && mine != Role.OWNER) {
            throw new Forbidden(Role.OWNER, "grant the owner role or change an owner's role");
          }
          roles.bind(c, nodeId, partyId, role);
          namespaces.enqueueSubtree(c, nodeId);
          return null;
        });
  }

  public boolean unbind(Caller caller, long nodeId, PartyRef party) {
    boolean removed =
        transactions.write(
            caller.name(),
            c -> {
              Role mine = authorization.require(c, caller, nodeId, Role.ADMIN, "remove roles here");
              long partyId = partyId(c, caller, nodeId, party, true);
              Optional<Role> current = roles.boundRole(c, nodeId, partyId);
              if (current.equals(Optional.of(Role.OWNER)) && mine != Role.OWNER) {
                throw new Forbidden(Role.OWNER, "remove an owner");
              }
              boolean unbound = roles.unbind(c, nodeId, partyId);
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

  /**
   * The party a binding names. A group counts as found only if the caller can see its node, or,
   * when a binding is being removed, if the group is bound at this node (and so listed to the
   * caller among its members); otherwise it answers as a group that does not exist.
   */
  private long partyId(
      Connection c, Caller caller, long nodeId, PartyRef party, boolean boundHereSuffices)
      throws SQLException {
    if ((party.user() == null) == (party.group() == null)) {
      throw new InvalidTenancyRequest("Name exactly one of user or group.");
    }
    if (party.user() != null) {
      String name = UserName.of(party.user()).value();
      return parties.findUser(c, name).orElseThrow(() -> new UserNotFound(name)).partyId();
    }
    NodeNotFound notFound = new NodeNotFound("group " + party.group());
    NodeRow group =
        nodes
            .findByPath(c, NodeLabel.toLtree(party.group()))
            .filter(n -> n.partyId() != null)
            .orElseThrow(() -> notFound);
    boolean seen =
        authorization.effectiveRole(c, caller, group.id()).isPresent()
            || (boundHereSuffices && roles.boundRole(c, nodeId, group.partyId()).isPresent());
    if (!seen) {
      throw notFound;
    }
    return group.partyId();
  }
}
