package dev.rota.storage.internal.persistence;

import dev.rota.storage.TaskVolumes;
import dev.rota.storage.TaskVolumes.AttachedVolume;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/** The volumes a task may mount: those attached at its tenancy node. */
public class TaskVolumeRepository {

  /**
   * Attached volumes among the ids, locked FOR SHARE: a detach (DELETE of the attachment) or a
   * change of the volume's nodes waits for the caller's transaction, which therefore decides on
   * rows that stay as read until it commits.
   */
  private static final String ATTACHED_AT =
      """
      SELECT v.id, v.pool, v.node_names
        FROM storage.attachments a
        JOIN storage.volumes v ON v.id = a.volume_id
       WHERE a.node_id = ?                         -- 1 the task's tenancy node
         AND a.volume_id = ANY (?::bigint[])       -- 2 the volumes asked for
       ORDER BY v.id
         FOR SHARE OF a, v
      """;

  public List<AttachedVolume> attachedAt(Connection c, long nodeId, Collection<Long> volumeIds)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(ATTACHED_AT)) {
      select.setLong(1, nodeId);
      select.setArray(2, c.createArrayOf("bigint", volumeIds.toArray()));
      List<AttachedVolume> attached = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          long id = row.getLong(1);
          Array nodes = row.getArray(3);
          attached.add(
              new AttachedVolume(
                  id,
                  TaskVolumes.claimName(id),
                  row.getString(2),
                  List.copyOf(Arrays.asList((String[]) nodes.getArray()))));
        }
      }
      return attached;
    }
  }
}
