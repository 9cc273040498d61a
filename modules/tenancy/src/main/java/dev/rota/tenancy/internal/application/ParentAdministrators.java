package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.persistence.NodeRow;
import java.sql.Connection;

/**
 * Decisions a node cannot take about itself (its quota, its deletion) belong to the administrators
 * of its parent, and for a top-level group to the platform administrators.
 */
final class ParentAdministrators {

  private ParentAdministrators() {}

  static void require(
      Authorization authorization, Connection c, Caller caller, NodeRow node, String what) {
    if (node.parentId() == null) {
      requirePlatformAdmin(caller, what);
      return;
    }
    try {
      authorization.require(c, caller, node.parentId(), Role.ADMIN, what);
    } catch (NodeNotFound parentUnseen) {
      // The caller sees this node but not its parent: say no without naming the parent.
      throw new Forbidden(Role.ADMIN, what + " (decided by the administrators of the parent)");
    }
  }

  static void requirePlatformAdmin(Caller caller, String what) {
    if (!caller.platformAdmin()) {
      throw new Forbidden(Role.OWNER, what + " (platform administrators only)");
    }
  }
}
