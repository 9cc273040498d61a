package dev.rota.tenancy;

import dev.rota.platform.Caller;
import java.sql.Connection;
import java.util.Optional;

/**
 * The one authorization service of Rota: every module's resources ask it whether the caller may act
 * on a tenancy node. A caller with no role at the node is told the node does not exist (404); a
 * caller whose role is too low is refused (403).
 */
public interface Authorization {

  /**
   * The caller's effective role at the node: the highest bound at the node or an ancestor, to the
   * user or a group they belong to; platform administrators are owners everywhere.
   */
  Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId);

  /** Returns the caller's role at the node, or throws 404 or 403 as described above. */
  Role require(Connection connection, Caller caller, long nodeId, Role minimum, String what);
}
