package dev.rota.storage;

import java.sql.Connection;
import java.util.Collection;
import java.util.List;

/**
 * What the queue asks about the volumes a task mounts, in the queue's own transaction: which of
 * them are attached at the task's tenancy node (their claim lives in that node's namespace, and an
 * attachment exists only where the volume's owner may use it, V10_1), under which claim name, in
 * which pool and on which cluster nodes their hostPath lies.
 */
public interface TaskVolumes {

  /** The name of a volume's PersistentVolume and claim, as the cluster has them. */
  static String claimName(long volumeId) {
    return "rota-vol-" + volumeId;
  }

  /**
   * The volumes among {@code volumeIds} attached at {@code nodeId}, with their attachment and
   * volume rows locked (shared) until the caller's transaction ends (so it must be a writing one),
   * so neither a detach nor a change of their nodes can slip in under the caller's decision.
   */
  Lookup attachedAt(Connection connection, long nodeId, Collection<Long> volumeIds);

  /** One volume attached at the node. */
  record AttachedVolume(long volumeId, String claimName, String pool, List<String> nodeNames) {}

  /**
   * The answer.
   *
   * @param attached the volumes attached at the node, by id
   * @param notAttached the ids asked for that are not attached there, or do not exist (not told
   *     apart), in ascending order
   */
  record Lookup(List<AttachedVolume> attached, List<Long> notAttached) {}
}
