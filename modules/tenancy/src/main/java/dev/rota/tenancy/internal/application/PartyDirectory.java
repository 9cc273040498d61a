package dev.rota.tenancy.internal.application;

import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.tenancy.Parties;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.PartyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** The tenancy side of {@link Parties}. */
@ApplicationScoped
public class PartyDirectory implements Parties {

  private final PartyRepository parties = new PartyRepository();

  @Override
  public Optional<Party> user(Connection connection, String name) {
    return call(() -> parties.findParty(connection, name, null, null));
  }

  @Override
  public Optional<Party> groupByPath(Connection connection, String slashPath) {
    String path = NodeLabel.toLtree(slashPath);
    return call(() -> parties.findParty(connection, null, path, null));
  }

  @Override
  public Optional<Party> byId(Connection connection, long partyId) {
    return call(() -> parties.findParty(connection, null, null, partyId));
  }

  @Override
  public java.util.List<Long> actingParties(Connection connection, String userName) {
    try {
      return parties.actingParties(connection, userName);
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }

  private interface Lookup {
    Optional<Party> run() throws SQLException;
  }

  private static Optional<Party> call(Lookup lookup) {
    try {
      return lookup.run();
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }
}
