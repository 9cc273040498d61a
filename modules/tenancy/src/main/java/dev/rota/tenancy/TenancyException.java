package dev.rota.tenancy;

import dev.rota.platform.ProblemException;

/** Root of the tenancy module's client-facing failures. */
public abstract class TenancyException extends ProblemException {

  protected TenancyException(int status, String title, String detail) {
    super(status, title, detail);
  }

  /** No such node, or none the caller may see: the two are not told apart. */
  public static final class NodeNotFound extends TenancyException {
    public NodeNotFound(String reference) {
      super(404, "Node not found", "There is no node " + reference + " that you can see.");
    }
  }

  /** The caller sees the node but their role there is too low for the operation. */
  public static final class Forbidden extends TenancyException {
    public Forbidden(Role needed, String what) {
      super(
          403,
          "Role too low",
          "To " + what + " you need the role " + needed.sqlName() + " or higher on this node.");
    }
  }

  /** A request the tenancy rules refuse before touching the database. */
  public static final class InvalidTenancyRequest extends TenancyException {
    public InvalidTenancyRequest(String detail) {
      super(400, "Invalid request", detail);
    }
  }

  /** A referenced user does not exist. */
  public static final class UserNotFound extends TenancyException {
    public UserNotFound(String reference) {
      super(404, "User not found", "There is no user " + reference + ".");
    }
  }

  /** A node with children is deleted without asking for the whole subtree. */
  public static final class NodeNotEmpty extends TenancyException {
    public NodeNotEmpty(long id, long descendants) {
      super(
          409,
          "Node not empty",
          "Node "
              + id
              + " has "
              + descendants
              + " descendants. Delete them first, or pass recursive=true to delete the subtree.");
    }
  }

  /** The node has no quota row for the pool (its totals apply there). */
  public static final class PoolQuotaNotFound extends TenancyException {
    public PoolQuotaNotFound(String pool) {
      super(
          404,
          "Pool quota not found",
          "This node has no quota of its own in pool " + pool + "; its totals apply there.");
    }
  }
}
