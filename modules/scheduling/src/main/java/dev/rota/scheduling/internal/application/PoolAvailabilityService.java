package dev.rota.scheduling.internal.application;

import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.scheduling.PoolAvailability;
import dev.rota.scheduling.internal.persistence.OccupancyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Answers the queue's question in the queue's own transaction (see {@link PoolAvailability}). */
@ApplicationScoped
public class PoolAvailabilityService implements PoolAvailability {

  private final OccupancyRepository occupancy = new OccupancyRepository();

  @Override
  public PoolStatus check(Connection connection, long nodeId, String pool, Instant at) {
    try {
      return occupancy.pool(connection, nodeId, pool, at);
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }

  @Override
  public Optional<Block> nextBlock(
      Connection connection, long nodeId, String pool, Instant from, Duration within) {
    try {
      return occupancy.nextBlock(connection, nodeId, pool, from, from.plus(within));
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }
}
