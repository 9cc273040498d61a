package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Decides, for every module, what a caller may do at a node (see {@link Authorization}). */
@ApplicationScoped
public class AuthorizationService implements Authorization {

  private final NodeRepository nodes = new NodeRepository();
  private final PartyRepository parties = new PartyRepository();
  private final RoleRepository roles = new RoleRepository();

  @Override
  public Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId) {
    try {
      if (nodes.find(connection, nodeId).isEmpty()) {
        return Optional.empty();
      }
      if (caller.platformAdmin()) {
        return Optional.of(Role.OWNER);
      }
      Optional<Long> party = parties.findUser(connection, caller.name()).map(u -> u.partyId());
      return party.isEmpty()
          ? Optional.empty()
          : roles.effectiveRole(connection, party.get(), nodeId);
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }

  @Override
  public Role require(
      Connection connection, Caller caller, long nodeId, Role minimum, String what) {
    Role role =
        effectiveRole(connection, caller, nodeId)
            .orElseThrow(() -> new NodeNotFound(String.valueOf(nodeId)));
    if (!role.atLeast(minimum)) {
      throw new Forbidden(minimum, what);
    }
    return role;
  }

  @Override
  public Visibility visibility(Connection connection, Caller caller) {
    if (caller.platformAdmin()) {
      return new Visibility(true, List.of());
    }
    try {
      Optional<Long> party = parties.findUser(connection, caller.name()).map(u -> u.partyId());
      return new Visibility(
          false, party.isEmpty() ? List.of() : roles.grantedPaths(connection, party.get()));
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }
}
