package dev.rota.tenancy.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.internal.persistence.AuditRepository.AuditEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * V9 gives the audit events written before it the ancestor ids that are certain: their own node,
 * the parent a node row recorded, and today's ancestors whose path still prefixes the recorded
 * path. Runs on its own database, migrated to V7, given a history, then migrated to the end.
 */
class AuditBackfillIT {

  private final String database = "backfill_" + TestTenancy.unique();
  private PGSimpleDataSource dataSource;

  @BeforeEach
  void a_database_at_v7() throws SQLException {
    execute("CREATE DATABASE " + database);
    dataSource = new PGSimpleDataSource();
    dataSource.setUrl(TestDatabase.get().jdbcUrl().replace("/postgres?", "/" + database + "?"));
    dataSource.setUser("postgres");
    flyway("7").migrate();
  }

  @AfterEach
  void drop_it() throws SQLException {
    execute("DROP DATABASE " + database + " WITH (FORCE)");
  }

  @Test
  void events_from_before_v9_get_the_ancestors_that_are_certain_and_deletes_join_the_trail()
      throws SQLException {
    Transactions transactions = new Transactions(dataSource);
    NodeRepository nodes = new NodeRepository();
    NodeRow root =
        transactions.write("old", c -> nodes.insert(c, NodeKind.GROUP, null, "R", "r", 0, null));
    NodeRow renamed =
        transactions.write(
            "old", c -> nodes.insert(c, NodeKind.GROUP, root.id(), "A", "a", 0, null));
    NodeRow project =
        transactions.write(
            "old", c -> nodes.insert(c, NodeKind.PROJECT, renamed.id(), "P", "p", 0, null));
    NodeRow deleted =
        transactions.write(
            "old", c -> nodes.insert(c, NodeKind.PROJECT, root.id(), "Q", "q", 0, null));
    transactions.write("old", c -> nodes.rename(c, renamed.id(), "B", "b"));
    transactions.write("old", c -> nodes.deleteSubtree(c, deleted.id()));

    flyway(null).migrate();

    assertThat(ancestors(project.id(), "insert"))
        .as("its own id, its parent then, and the root whose path still prefixes r.a.p")
        .containsExactlyInAnyOrder(project.id(), renamed.id(), root.id());
    assertThat(ancestors(deleted.id(), "delete"))
        .containsExactlyInAnyOrder(deleted.id(), root.id());
    List<AuditEvent> trail =
        transactions.read(c -> new AuditRepository().page(c, root.id(), null, 100));
    assertThat(trail)
        .extracting(AuditEvent::action, AuditEvent::nodeId)
        .contains(
            org.assertj.core.groups.Tuple.tuple("delete", deleted.id()),
            org.assertj.core.groups.Tuple.tuple("insert", project.id()));
  }

  private List<Long> ancestors(long nodeId, String action) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT ancestor_ids FROM tenancy.audit_events"
                    + " WHERE entity = 'nodes' AND node_id = ? AND action = ?")) {
      query.setLong(1, nodeId); // 1 the node
      query.setString(2, action); // 2 the action
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        Array ids = row.getArray(1);
        return List.of((Long[]) ids.getArray());
      }
    }
  }

  private Flyway flyway(String target) {
    var configuration =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .cleanDisabled(true);
    if (target != null) {
      configuration.target(target);
    }
    return configuration.load();
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = TestDatabase.get().dataSource().getConnection();
        Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }
}
