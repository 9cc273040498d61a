package dev.rota.tenancy;

import java.sql.Connection;
import java.util.Optional;

/** Looks up parties (users and groups of the tree) for modules that refer to them by id. */
public interface Parties {

  /** A user or a group. */
  record Party(long id, Kind kind, String name, Long groupNodeId) {
    /** Users and groups, as {@code tenancy.party_kind} names them. */
    public enum Kind {
      USER,
      GROUP
    }
  }

  Optional<Party> user(Connection connection, String name);

  /** The group at a path like {@code acme/ml}. */
  Optional<Party> groupByPath(Connection connection, String slashPath);

  Optional<Party> byId(Connection connection, long partyId);

  /**
   * The parties a user acts as: the user's own and every group they are a direct member of (a
   * group's membership does not climb to the groups above it). Empty when the user is unknown.
   */
  java.util.List<Long> actingParties(Connection connection, String userName);
}
