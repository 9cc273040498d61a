package dev.rota.storage.internal.application;

import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.storage.TaskVolumes;
import dev.rota.storage.internal.persistence.TaskVolumeRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Answers the queue's question about a task's volumes in the queue's transaction. */
@ApplicationScoped
public class TaskVolumesService implements TaskVolumes {

  private final TaskVolumeRepository volumes = new TaskVolumeRepository();

  @Override
  public Lookup attachedAt(Connection connection, long nodeId, Collection<Long> volumeIds) {
    try {
      List<AttachedVolume> attached = volumes.attachedAt(connection, nodeId, volumeIds);
      Set<Long> found = new HashSet<>();
      attached.forEach(volume -> found.add(volume.volumeId()));
      List<Long> missing =
          volumeIds.stream().distinct().filter(id -> !found.contains(id)).sorted().toList();
      return new Lookup(attached, missing);
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }
}
