package dev.rota.storage.internal.persistence;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.DatabaseRefusals;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Rows the storage tests need from other schemas, made directly in SQL. */
final class StorageFixtures {

  private StorageFixtures() {}

  static long newParty(Transactions transactions, String kind) {
    return transactions.write(
        "test",
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO tenancy.parties (kind) VALUES (?::tenancy.party_kind) RETURNING id")) {
            insert.setString(1, kind); // 1 user or group
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** The name of the constraint PostgreSQL reported anywhere in the failure's causes. */
  static String constraintOf(Throwable failure) {
    return DatabaseRefusals.constraintOf(failure);
  }
}
