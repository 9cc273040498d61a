package dev.rota.queue;

import static java.util.stream.Collectors.joining;

import dev.rota.platform.ProblemException;
import java.util.List;

/** Root of the queue module's client-facing failures. */
public abstract class QueueException extends ProblemException {

  protected QueueException(int status, String title, String detail) {
    super(status, title, detail);
  }

  /** A task request that is malformed in a way Bean Validation cannot say. */
  public static final class InvalidTaskRequest extends QueueException {
    public InvalidTaskRequest(String detail) {
      super(400, "Invalid request", detail);
    }
  }

  /** No such task, or none the caller may see: the two are not told apart. */
  public static final class TaskNotFound extends QueueException {
    public TaskNotFound(long id) {
      super(404, "Task not found", "There is no task " + id + " that you can see.");
    }
  }

  /** No GPU pool of that name: the cluster has no node in it and no task waits for it. */
  public static final class PoolNotFound extends QueueException {
    public PoolNotFound(String pool) {
      super(404, "Pool not found", "There is no GPU pool " + pool + " in the cluster.");
    }
  }

  /** Pools and their queues are the platform's, shown to whoever holds a role somewhere. */
  public static final class PoolViewForbidden extends QueueException {
    public PoolViewForbidden() {
      super(
          403,
          "Role too low",
          "GPU pools and their queues are shown to platform administrators and to anyone holding"
              + " a role at some node; ask an administrator of a project for one.");
    }
  }

  /** A well-formed task that cannot run as asked: an unknown pool or class, too big a gang. */
  public static final class TaskCannotRun extends QueueException {
    public TaskCannotRun(String detail) {
      super(422, "Task cannot run", detail);
    }
  }

  /**
   * Volumes a task would mount that are not attached at its node: whether they exist elsewhere or
   * not at all is not told apart.
   */
  public static final class VolumeNotAttached extends QueueException {
    public VolumeNotAttached(long nodeId, List<Long> volumeIds) {
      super(
          422,
          "Volume not attached",
          (volumeIds.size() == 1 ? "Volume " : "Volumes ")
              + volumeIds.stream().map(String::valueOf).collect(joining(", "))
              + (volumeIds.size() == 1 ? " is" : " are")
              + " not attached at node "
              + nodeId
              + " (or not a volume you can see); a task mounts only volumes attached to its"
              + " project or subproject.");
    }
  }

  /** The task is no longer in a state that allows the operation. */
  public static final class TaskStateConflict extends QueueException {
    public TaskStateConflict(long id, String state, String what) {
      super(
          409, "Task state conflict", "Task " + id + " is " + state + "; it cannot " + what + ".");
    }
  }
}
