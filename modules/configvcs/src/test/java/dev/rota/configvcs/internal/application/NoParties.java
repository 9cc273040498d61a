package dev.rota.configvcs.internal.application;

import dev.rota.tenancy.Parties;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/** For tests and the benchmark: no caller is a tenancy user, so authors are recorded by name. */
public final class NoParties implements Parties {
  @Override
  public Optional<Party> user(Connection connection, String name) {
    return Optional.empty();
  }

  @Override
  public Optional<Party> groupByPath(Connection connection, String slashPath) {
    return Optional.empty();
  }

  @Override
  public Optional<Party> byId(Connection connection, long partyId) {
    return Optional.empty();
  }

  @Override
  public List<Long> actingParties(Connection connection, String userName) {
    return List.of();
  }
}
