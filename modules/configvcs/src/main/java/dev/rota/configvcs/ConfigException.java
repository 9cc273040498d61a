package dev.rota.configvcs;

import dev.rota.platform.ProblemException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Root of the configuration store's client-facing failures. */
public abstract class ConfigException extends ProblemException {

  protected ConfigException(int status, String title, String detail) {
    super(status, title, detail);
  }

  /** A branch or tag that the node's repository does not have. */
  public static final class RefNotFound extends ConfigException {
    public RefNotFound(String name) {
      super(404, "Ref not found", "The repository has no branch or tag '" + name + "'.");
    }
  }

  /** A commit hash that is not a commit of the node's repository. */
  public static final class CommitNotFound extends ConfigException {
    public CommitNotFound(String hash) {
      super(404, "Commit not found", "The repository has no commit " + hash + ".");
    }
  }

  /** A path with no document in the snapshot read. */
  public static final class PathNotFound extends ConfigException {
    public PathNotFound(String path, String commit) {
      super(
          404,
          "Path not found",
          "There is no document at '" + path + "' in commit " + commit + ".");
    }
  }

  /** A document path, ref name or hash that is not well formed. */
  public static final class InvalidReference extends ConfigException {
    public InvalidReference(String detail) {
      super(400, "Invalid reference", detail);
    }
  }

  /**
   * A document Rota cannot store: malformed JSON or YAML, or values JSON-in-PostgreSQL cannot hold.
   */
  public static final class InvalidDocument extends ConfigException {
    public InvalidDocument(String detail) {
      super(400, "Invalid document", detail);
    }
  }

  /** A change that names no operation, or more than one. */
  public static final class InvalidChange extends ConfigException {
    public InvalidChange(String detail) {
      super(400, "Invalid change", detail);
    }
  }

  /** A JSON Patch or Merge Patch that does not apply to the document it is meant for. */
  public static final class PatchFailed extends ConfigException {
    public PatchFailed(String path, String why) {
      super(422, "Patch does not apply", "The patch for '" + path + "' does not apply: " + why);
    }
  }

  /**
   * The branch moved since the parent the client built on: nothing was committed. The problem
   * carries the branch's current head, to rebase on.
   */
  public static final class StaleParent extends ConfigException {
    private final String branch;
    private final String head;

    public StaleParent(String branch, String expected, String head) {
      super(
          409,
          "Branch moved",
          "Branch '"
              + branch
              + "' is at "
              + head
              + ", not at the parent "
              + expected
              + " you built on. Read the current head, apply your change to it and commit again.");
      this.branch = branch;
      this.head = head;
    }

    @Override
    public Map<String, Object> extensions() {
      Map<String, Object> members = new LinkedHashMap<>();
      members.put("branch", branch);
      members.put("currentHead", head);
      return members;
    }
  }

  /** A ref operation the rules of refs forbid (main, tags), said before the database would. */
  public static final class RefRefused extends ConfigException {
    public RefRefused(String detail) {
      super(409, "Ref operation refused", detail);
    }
  }

  /** A revert whose inverse change does not apply to the branch as it is now. */
  public static final class RevertConflict extends ConfigException {
    private final List<String> paths;

    public RevertConflict(String commit, List<String> paths) {
      super(
          409,
          "Revert conflicts",
          "Commit "
              + commit
              + " cannot be reverted automatically: "
              + String.join(", ", paths)
              + " changed since. Edit these documents by hand instead.");
      this.paths = List.copyOf(paths);
    }

    @Override
    public Map<String, Object> extensions() {
      return Map.of("paths", paths);
    }
  }
}
