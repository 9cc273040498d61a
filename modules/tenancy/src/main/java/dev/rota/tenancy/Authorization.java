package dev.rota.tenancy;

import dev.rota.platform.Caller;
import java.sql.Connection;
import java.util.List;
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

  /**
   * The subtrees the caller sees every node of, for filtering a list in SQL in one statement
   * ({@code everything OR node.path <@ subtrees}): the paths of the nodes bound to the caller or a
   * group they belong to, or everything for platform administrators. Empty for a caller without
   * roles.
   */
  default Visibility visibility(Connection connection, Caller caller) {
    // A default so that stand-ins written for tests of single-node decisions need not list.
    throw new UnsupportedOperationException("This Authorization cannot list what a caller sees");
  }

  /**
   * What a caller sees.
   *
   * @param everything platform administrators see every node
   * @param subtrees ltree paths (text) of the nodes at and below which the caller holds a role
   */
  record Visibility(boolean everything, List<String> subtrees) {

    /** Whether the caller holds a role anywhere (or sees everything). */
    public boolean anyRole() {
      return everything || !subtrees.isEmpty();
    }
  }
}
