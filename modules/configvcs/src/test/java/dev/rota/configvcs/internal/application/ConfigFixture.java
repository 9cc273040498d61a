package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.DatabaseRefusals;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One test's own configuration world in the shared database: tenancy nodes with random labels
 * (removed by {@link #close()}; the immutable history stays, as it must), the services wired by
 * hand, and roles granted per user name by a stand-in for tenancy's authorization.
 */
public final class ConfigFixture implements AutoCloseable {

  public final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  public final Map<String, Role> roles = new ConcurrentHashMap<>();
  public final ConfigAccess access =
      new ConfigAccess(transactions, new RolesByName(), new PieceCache(), Clock.systemUTC());
  public final CommitService commits = new CommitService(access, new NoParties());
  public final RevertService reverts = new RevertService(access, commits);
  public final TreeReader tree = new TreeReader(access);
  public final HistoryService history = new HistoryService(access);
  public final RefService refs = new RefService(access);
  public final EffectiveConfigService effective = new EffectiveConfigService(access);
  private final List<Long> roots = new ArrayList<>();

  /** A caller holding {@code role} everywhere. */
  public Caller caller(Role role) {
    String name = role.sqlName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    roles.put(name, role);
    return new Caller(name, name, "test", Set.of(), false);
  }

  /** A new top-level group. */
  public long root() {
    String label = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    long id =
        insertNode(
            "WITH party AS (INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id) "
                + "INSERT INTO tenancy.nodes (kind, parent_id, name, label, party_id) "
                + "VALUES ('group', NULL, ?, ?, (SELECT id FROM party)) RETURNING id",
            null,
            label);
    roots.add(id);
    return id;
  }

  /** A project under {@code parent}. */
  public long project(long parent) {
    String label = "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return insertNode(
        "INSERT INTO tenancy.nodes (kind, parent_id, name, label) VALUES ('project', ?, ?, ?) RETURNING id",
        parent,
        label);
  }

  public ContentHash head(Caller caller, long node, String branch) {
    return refs.get(caller, node, RefName.of(branch)).commit();
  }

  /** Commits one whole document onto the branch's current head. */
  public Commit put(Caller caller, long node, String branch, String path, JsonValue document) {
    return commit(caller, node, branch, new Change.Put(ConfigPath.of(path), document));
  }

  public Commit commit(Caller caller, long node, String branch, Change... changes) {
    return commits.commit(
        caller,
        node,
        new CommitService.CommitRequest(
            RefName.of(branch), head(caller, node, branch), "test change", List.of(changes)));
  }

  public static JsonValue json(String text) {
    return JsonText.parse(text);
  }

  public long count(String sql, Object... parameters) {
    return transactions.read(
        c -> {
          try (PreparedStatement query = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
              query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** The constraint the database refused a change for, from anywhere in the chain. */
  public static String constraintOf(Throwable failure) {
    return DatabaseRefusals.constraintOf(failure);
  }

  /** Runs one statement by hand, as any client of the database could. */
  public int execute(String sql, Object... parameters) {
    return transactions.write(
        "test",
        c -> {
          try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
              statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
          }
        });
  }

  @Override
  public void close() {
    transactions.write(
        "test",
        c -> {
          for (long root : roots) {
            try (PreparedStatement delete =
                c.prepareStatement(
                    "DELETE FROM tenancy.nodes n USING tenancy.nodes top WHERE top.id = ? AND n.path <@ top.path")) {
              delete.setLong(1, root);
              delete.executeUpdate();
            }
          }
          return null;
        });
  }

  private long insertNode(String sql, Long parent, String label) {
    return transactions.write(
        "test",
        c -> {
          try (PreparedStatement insert = c.prepareStatement(sql)) {
            int i = 1;
            if (parent != null) {
              insert.setLong(i++, parent);
            }
            insert.setString(i++, label);
            insert.setString(i, label);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** Tenancy's rule, over roles granted here by user name: none is 404, too low is 403. */
  private final class RolesByName implements Authorization {
    @Override
    public Optional<Role> effectiveRole(Connection connection, Caller caller, long nodeId) {
      return Optional.ofNullable(roles.get(caller.name()));
    }

    @Override
    public Role require(
        Connection connection, Caller caller, long nodeId, Role minimum, String what) {
      Role role =
          effectiveRole(connection, caller, nodeId)
              .orElseThrow(() -> new NodeNotFound(String.valueOf(nodeId)));
      if (!role.atLeast(minimum)) {
        throw new Forbidden(minimum, what);
      }
      return role;
    }
  }
}
