package dev.rota.queue.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Users of one test, each bound at most at one node; removed by {@link #close()}. */
final class Callers implements AutoCloseable {

  private final Transactions transactions;
  private final List<Long> parties = new ArrayList<>();

  Callers(Transactions transactions) {
    this.transactions = transactions;
  }

  static Caller platformAdmin() {
    return new Caller("platform-admin", "platform-admin", "test", Set.of(), true);
  }

  /** A user holding {@code role} at {@code node}. */
  Caller bound(String role, long node) {
    Caller caller = stranger();
    long party = parties.get(parties.size() - 1);
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement bind =
              c.prepareStatement(
                  "INSERT INTO tenancy.role_bindings (node_id, party_id, role)"
                      + " VALUES (?, ?, ?::tenancy.role)")) { // 1 node, 2 party, 3 role
            bind.setLong(1, node);
            bind.setLong(2, party);
            bind.setString(3, role);
            return bind.executeUpdate();
          }
        });
    return caller;
  }

  /** A user without any role. */
  Caller stranger() {
    String name = "u" + TestQueue.unique();
    long party =
        transactions.write(
            TestQueue.ACTOR,
            c -> {
              try (PreparedStatement insert =
                      c.prepareStatement(
                          "INSERT INTO tenancy.parties (kind) VALUES ('user') RETURNING id");
                  ResultSet row = insert.executeQuery()) {
                row.next();
                long id = row.getLong(1);
                try (PreparedStatement user =
                    c.prepareStatement(
                        "INSERT INTO tenancy.users (party_id, name) VALUES (?, ?)")) {
                  user.setLong(1, id); // 1 party
                  user.setString(2, name); // 2 name
                  user.executeUpdate();
                }
                return id;
              }
            });
    parties.add(party);
    return new Caller(name, name, "test", Set.of(), false);
  }

  @Override
  public void close() {
    transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM tenancy.parties WHERE id = ANY (?)")) {
            delete.setArray(1, c.createArrayOf("bigint", parties.toArray())); // 1 the users
            return delete.executeUpdate();
          }
        });
  }
}
