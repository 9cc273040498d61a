package dev.rota.tenancy.internal.persistence;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.DatabaseRefusals;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One test's own tenancy data in the shared database: root groups and users with random names, so
 * tests never see each other's rows, all removed again by {@link #close()}.
 */
public final class TestTenancy implements AutoCloseable {

  public static final String ACTOR = "test-seeder";

  private final DataSource dataSource = TestDatabase.get().dataSource();
  private final Transactions transactions = new Transactions(dataSource);
  private final NodeRepository nodes = new NodeRepository();
  private final PartyRepository parties = new PartyRepository();
  private final RoleRepository roles = new RoleRepository();
  private final List<Long> roots = new ArrayList<>();
  private final List<Long> users = new ArrayList<>();

  public DataSource dataSource() {
    return dataSource;
  }

  public Transactions transactions() {
    return transactions;
  }

  /** A short random suffix, unique enough to keep tests' names apart. */
  public static String unique() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** A new top-level group with a random label. */
  public NodeRow root(int guaranteedGpus) {
    String name = "t" + unique();
    NodeRow root =
        transactions.write(
            ACTOR, c -> nodes.insert(c, NodeKind.GROUP, null, name, name, guaranteedGpus, null));
    roots.add(root.id());
    return root;
  }

  public NodeRow child(NodeRow parent, NodeKind kind, String name) {
    return child(parent, kind, name, 0, null);
  }

  public NodeRow child(
      NodeRow parent, NodeKind kind, String name, int guaranteedGpus, Integer gpuLimit) {
    String label = NodeLabel.fromName(name).value();
    return transactions.write(
        ACTOR, c -> nodes.insert(c, kind, parent.id(), name, label, guaranteedGpus, gpuLimit));
  }

  /** The node as it is now in the database. */
  public NodeRow reload(NodeRow node) {
    return transactions.read(c -> nodes.find(c, node.id()).orElseThrow());
  }

  /** A new user named {@code prefix-<random>}. */
  public UserRow user(String prefix) {
    String name = prefix + "-" + unique();
    UserRow user = transactions.write(ACTOR, c -> parties.createUser(c, name, prefix));
    users.add(user.partyId());
    return user;
  }

  public void bind(NodeRow node, long partyId, Role role) {
    transactions.write(
        ACTOR,
        c -> {
          roles.bind(c, node.id(), partyId, role);
          return null;
        });
  }

  public void addMember(NodeRow group, UserRow user) {
    transactions.write(
        ACTOR,
        c -> {
          parties.addMember(c, group.partyId(), user.partyId());
          return null;
        });
  }

  /** The name of the constraint the database refused a change for, from anywhere in the chain. */
  public static String constraintOf(Throwable failure) {
    return DatabaseRefusals.constraintOf(failure);
  }

  /** Removes the test's subtrees and users; audit rows stay, as they must. */
  @Override
  public void close() {
    transactions.write(
        ACTOR,
        c -> {
          for (long root : roots) {
            nodes.deleteSubtree(c, root);
          }
          deleteParties(c, users);
          return null;
        });
  }

  private static void deleteParties(Connection c, List<Long> ids) throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM tenancy.parties WHERE id = ANY (?)")) {
      Array array = c.createArrayOf("bigint", ids.toArray());
      delete.setArray(1, array); // 1 the parties to delete
      delete.executeUpdate();
    }
  }
}
