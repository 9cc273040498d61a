package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import dev.rota.tenancy.TenancyException.UserNotFound;
import dev.rota.tenancy.internal.domain.UserName;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.RoleRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Users (created by platform administrators) and their membership in groups of the tree. */
@ApplicationScoped
public class PartyService {

  private final PartyRepository parties = new PartyRepository();
  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject NamespaceReconciler namespaces;

  public UserRow createUser(Caller caller, String name, String displayName) {
    if (!caller.platformAdmin()) {
      throw new Forbidden(Role.OWNER, "create users (platform administrators only)");
    }
    return transactions.write(caller.name(), c -> parties.createUser(c, name, displayName));
  }

  /**
   * Users after a name cursor, {@code limit + 1} of them. The directory of every user is the
   * platform administrators' to read: the names of other tenants' people are not a tenant's
   * business.
   */
  public List<UserRow> users(Caller caller, String afterName, int limit) {
    if (!caller.platformAdmin()) {
      throw new Forbidden(Role.OWNER, "list users (platform administrators only)");
    }
    return transactions.read(c -> parties.users(c, afterName, limit + 1));
  }

  /**
   * A user by name: one's own record, or anyone's for a platform administrator. Anyone else is
   * refused whether or not the name exists, so the refusal tells nothing.
   */
  public UserRow user(Caller caller, String name) {
    if (!caller.platformAdmin() && !caller.name().equals(name)) {
      throw new Forbidden(
          Role.OWNER, "read another user's record (platform administrators only; read your own)");
    }
    String valid = UserName.of(name).value();
    return transactions.read(
        c -> parties.findUser(c, valid).orElseThrow(() -> new UserNotFound(valid)));
  }

  public List<UserRow> members(Caller caller, long groupId) {
    return transactions.read(
        c -> {
          authorization.require(c, caller, groupId, Role.VIEWER, "see this group's members");
          return parties.members(c, group(c, groupId).partyId());
        });
  }

  public void addMember(Caller caller, long groupId, String userName) {
    transactions.write(
        caller.name(),
        c -> {
          NodeRow group = groupToChange(c, caller, groupId);
          UserRow user =
              parties
                  .findUser(c, UserName.of(userName).value())
                  .orElseThrow(() -> new UserNotFound(userName));
          parties.addMember(c, group.partyId(), user.partyId());
          namespaces.enqueueForGroup(c, groupId);
          return null;
        });
  }

  public boolean removeMember(Caller caller, long groupId, String userName) {
    boolean removed =
        transactions.write(
            caller.name(),
            c -> {
              NodeRow group = groupToChange(c, caller, groupId);
              UserRow user =
                  parties
                      .findUser(c, UserName.of(userName).value())
                      .orElseThrow(() -> new UserNotFound(userName));
              boolean left = parties.removeMember(c, group.partyId(), user.partyId());
              namespaces.enqueueForGroup(c, groupId);
              return left;
            });
    return removed;
  }

  /**
   * The group whose members the caller may change: admins of the group may, except that a group
   * holding the owner role somewhere makes its members owners there, and only owners manage owners,
   * so then it takes an owner of the group.
   */
  private NodeRow groupToChange(Connection c, Caller caller, long groupId) throws SQLException {
    Role mine =
        authorization.require(c, caller, groupId, Role.ADMIN, "change this group's members");
    NodeRow group = group(c, groupId);
    if (mine != Role.OWNER && roles.holdsOwner(c, group.partyId())) {
      throw new Forbidden(
          Role.OWNER, "change the members of a group that holds the owner role somewhere");
    }
    return group;
  }

  private NodeRow group(Connection c, long groupId) throws SQLException {
    NodeRow node = nodes.find(c, groupId).orElseThrow();
    if (node.kind() != NodeKind.GROUP) {
      throw new InvalidTenancyRequest(
          "Node " + groupId + " is a " + node.kind().sqlName() + "; only groups have members.");
    }
    return node;
  }
}
