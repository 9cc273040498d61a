package dev.rota.tenancy.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Transactions;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.persistence.AuditRepository.AuditEvent;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit trail written by the database's triggers, and read back a page at a time. */
class AuditIT {

  private final TestTenancy tenancy = new TestTenancy();
  private final Transactions transactions = tenancy.transactions();
  private final NodeRepository nodes = new NodeRepository();
  private final RoleRepository roles = new RoleRepository();
  private final PartyRepository parties = new PartyRepository();
  private final AuditRepository audit = new AuditRepository();

  @AfterEach
  void clean_up() {
    tenancy.close();
  }

  @Test
  void creates_moves_and_role_bindings_are_audited_with_the_actor_of_their_transaction() {
    NodeRow root = tenancy.root(0);
    String alice = "alice-" + TestTenancy.unique();
    String bob = "bob-" + TestTenancy.unique();
    String carol = "carol-" + TestTenancy.unique();
    UserRow user = tenancy.user("bound");
    NodeRow group =
        transactions.write(
            alice, c -> nodes.insert(c, NodeKind.GROUP, root.id(), "G", "g", 0, null));
    NodeRow project =
        transactions.write(
            bob, c -> nodes.insert(c, NodeKind.PROJECT, root.id(), "P", "p", 0, null));
    NodeRow child =
        transactions.write(
            bob, c -> nodes.insert(c, NodeKind.SUBPROJECT, project.id(), "S", "s", 0, null));
    transactions.write(carol, c -> nodes.move(c, project.id(), group.id()).orElseThrow());
    transactions.write(
        alice,
        c -> {
          roles.bind(c, project.id(), user.partyId(), Role.MEMBER);
          return null;
        });

    List<AuditEvent> events = page(project.id(), null, 100);

    String movedPath = root.label() + ".g.p";
    assertThat(events)
        .extracting(AuditEvent::actor, AuditEvent::action, AuditEvent::entity, AuditEvent::nodeId)
        .containsExactly(
            tuple(alice, "insert", "role_bindings", project.id()),
            tuple(carol, "update", "nodes", project.id()),
            tuple(bob, "insert", "nodes", child.id()),
            tuple(bob, "insert", "nodes", project.id()));
    AuditEvent move = events.get(1);
    assertThat(move.nodePath()).isEqualTo(movedPath);
    assertThat(move.before()).contains("\"parent_id\": " + root.id());
    assertThat(move.after()).contains("\"parent_id\": " + group.id()).contains(movedPath);
    assertThat(events.get(0).after())
        .contains("\"role\": \"member\"")
        .contains("\"party_id\": " + user.partyId());
    assertThat(eventsOf(child.id()))
        .as("the re-pathing of descendants is part of the move, not audited on its own")
        .containsExactly(tuple(bob, "insert"));
    assertThat(page(group.id(), null, 100))
        .as("a node's trail holds what happened below it, from the moment it was below it")
        .extracting(AuditEvent::actor, AuditEvent::nodeId)
        .containsExactly(
            tuple(alice, project.id()), tuple(carol, project.id()), tuple(alice, group.id()));
    assertThat(page(root.id(), null, 100))
        .as("the parent a node left sees it leave")
        .extracting(AuditEvent::actor, AuditEvent::action, AuditEvent::nodeId)
        .contains(tuple(carol, "update", project.id()));
  }

  @Test
  void deletes_are_in_the_trail_of_every_ancestor_also_when_a_subtree_goes_at_once() {
    NodeRow root = tenancy.root(0);
    NodeRow group = tenancy.child(root, NodeKind.GROUP, "Doomed");
    NodeRow project = tenancy.child(group, NodeKind.PROJECT, "Project");
    NodeRow sub = tenancy.child(project, NodeKind.SUBPROJECT, "Sub");
    NodeRow single = tenancy.child(root, NodeKind.PROJECT, "Single");
    transactions.write("deleter", c -> nodes.deleteSubtree(c, single.id()));
    transactions.write("deleter", c -> nodes.deleteSubtree(c, group.id()));

    List<AuditEvent> deletes =
        page(root.id(), null, 100).stream().filter(e -> e.action().equals("delete")).toList();

    assertThat(deletes)
        .extracting(AuditEvent::actor, AuditEvent::entity, AuditEvent::nodeId)
        .containsExactlyInAnyOrder(
            tuple("deleter", "nodes", single.id()),
            tuple("deleter", "nodes", group.id()),
            tuple("deleter", "nodes", project.id()),
            tuple("deleter", "nodes", sub.id()));
    assertThat(deletes)
        .filteredOn(e -> e.nodeId() == sub.id())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.nodePath()).isEqualTo(root.label() + ".doomed.project.sub");
              assertThat(e.before()).contains("\"name\": \"Sub\"");
            });
    assertThat(ancestorIdsOf(sub.id(), "delete"))
        .as("the ancestors deleted by the same statement are still named")
        .containsExactly(root.id(), group.id(), project.id(), sub.id());
  }

  @Test
  void a_node_that_later_holds_an_old_path_does_not_see_the_old_nodes_trail() {
    NodeRow root = tenancy.root(0);
    NodeRow renamed = tenancy.child(root, NodeKind.GROUP, "Shared");
    tenancy.child(renamed, NodeKind.PROJECT, "Secret");
    transactions.write("renamer", c -> nodes.rename(c, renamed.id(), "Moved On", "moved_on"));
    NodeRow deleted = tenancy.child(root, NodeKind.GROUP, "Gone");
    tenancy.child(deleted, NodeKind.PROJECT, "Secret too");
    transactions.write("deleter", c -> nodes.deleteSubtree(c, deleted.id()));

    NodeRow heirOfRenamed = tenancy.child(root, NodeKind.GROUP, "Shared");
    NodeRow heirOfDeleted = tenancy.child(root, NodeKind.GROUP, "Gone");

    assertThat(page(heirOfRenamed.id(), null, 100))
        .extracting(AuditEvent::nodeId)
        .containsExactly(heirOfRenamed.id());
    assertThat(page(heirOfDeleted.id(), null, 100))
        .extracting(AuditEvent::nodeId)
        .containsExactly(heirOfDeleted.id());
  }

  @Test
  void users_and_memberships_are_audited_and_a_change_without_an_actor_names_the_database_user()
      throws SQLException {
    NodeRow root = tenancy.root(0);
    String admin = "admin-" + TestTenancy.unique();
    UserRow user =
        transactions.write(admin, c -> parties.createUser(c, "u-" + TestTenancy.unique(), null));
    transactions.write(
        admin,
        c -> {
          parties.addMember(c, root.partyId(), user.partyId());
          return null;
        });
    try (Connection c = tenancy.dataSource().getConnection()) { // no rota.actor set
      parties.removeMember(c, root.partyId(), user.partyId());
    }
    transactions.write(
        TestTenancy.ACTOR,
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM tenancy.parties WHERE id = ?")) {
            delete.setLong(1, user.partyId()); // 1 the user's party
            delete.executeUpdate();
          }
          return null;
        });

    assertThat(page(root.id(), null, 100))
        .extracting(AuditEvent::actor, AuditEvent::action, AuditEvent::entity)
        .containsExactly(
            tuple("database:postgres", "delete", "group_members"),
            tuple(admin, "insert", "group_members"),
            tuple(TestTenancy.ACTOR, "insert", "nodes"));
    assertThat(
            count(
                "SELECT count(*) FROM tenancy.audit_events WHERE entity = 'users'"
                    + " AND COALESCE(after, before) ->> 'name' = ?",
                user.name()))
        .as("the user's creation and deletion")
        .isEqualTo(2);
  }

  @Test
  void audit_rows_cannot_be_updated_deleted_or_truncated() throws SQLException {
    NodeRow root = tenancy.root(0);
    long before = count("SELECT count(*) FROM tenancy.audit_events WHERE node_id = ?", root.id());

    // Inside a transaction that is rolled back, so that a broken guard harms no other test.
    try (Connection c = tenancy.dataSource().getConnection()) {
      c.setAutoCommit(false);
      for (String sql :
          List.of(
              "UPDATE tenancy.audit_events SET actor = 'mallory' WHERE node_id = " + root.id(),
              "DELETE FROM tenancy.audit_events WHERE node_id = " + root.id(),
              "TRUNCATE tenancy.audit_events")) {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
          Throwable refusal = catchThrowable(statement::execute);
          assertThat(refusal).as(sql).isInstanceOf(SQLException.class);
          assertThat(((SQLException) refusal).getSQLState()).as(sql).isEqualTo("42501");
          assertThat(refusal).hasMessageContaining("cannot be changed or removed");
        }
        c.rollback();
      }
    }

    assertThat(before).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM tenancy.audit_events WHERE node_id = ?", root.id()))
        .isEqualTo(before);
    assertThat(page(root.id(), null, 10))
        .extracting(AuditEvent::actor)
        .containsExactly(TestTenancy.ACTOR);
  }

  @Test
  void audit_pages_run_newest_first_and_a_cursor_continues_where_the_last_page_ended() {
    NodeRow root = tenancy.root(0);
    NodeRow node = tenancy.child(root, NodeKind.GROUP, "Audited");
    NodeRow sibling = tenancy.child(root, NodeKind.GROUP, "Sibling");
    for (int i = 1; i <= 6; i++) {
      String name = "Audited " + i;
      transactions.write(
          "renamer", c -> nodes.rename(c, node.id(), name, name.toLowerCase().replace(' ', '_')));
      transactions.write(
          "renamer", c -> nodes.rename(c, sibling.id(), name, "sibling_" + name.charAt(8)));
    }
    tenancy.child(tenancy.reload(node), NodeKind.PROJECT, "Child one");
    tenancy.child(tenancy.reload(node), NodeKind.PROJECT, "Child two");
    List<Long> all =
        transactions.read(
            c -> {
              List<Long> ids = new ArrayList<>();
              for (AuditEvent event : audit.page(c, node.id(), null, 1000)) {
                ids.add(event.id());
              }
              return ids;
            });

    List<List<Long>> pages = new ArrayList<>();
    Long cursor = null;
    for (int guard = 0; guard < 10; guard++) {
      Long before = cursor;
      List<AuditEvent> page = page(node.id(), before, 4);
      if (page.isEmpty()) {
        break;
      }
      pages.add(page.stream().map(AuditEvent::id).toList());
      cursor = page.get(page.size() - 1).id();
    }

    assertThat(all).hasSize(1 + 6 + 2).isSortedAccordingTo((x, y) -> Long.compare(y, x));
    assertThat(pages).extracting(List::size).containsExactly(4, 4, 1);
    assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(all);
  }

  /**
   * The trail of a node finds its descendants' events by the path recorded with each event, so once
   * the node is renamed or moved, what happened below it before is no longer in its trail. Matching
   * descendants by id ({@code e.node_id IN (SELECT id FROM tenancy.nodes WHERE path <@ ...)}) as
   * well as by recorded path would keep it.
   */
  @Test
  void a_nodes_trail_keeps_its_descendants_events_after_the_node_is_renamed() {
    NodeRow root = tenancy.root(0);
    NodeRow node = tenancy.child(root, NodeKind.GROUP, "Before");
    NodeRow child = tenancy.child(node, NodeKind.PROJECT, "Child");
    transactions.write("renamer", c -> nodes.rename(c, node.id(), "After", "after"));

    assertThat(page(node.id(), null, 100))
        .extracting(AuditEvent::nodeId)
        .containsExactly(node.id(), child.id(), node.id());
  }

  /** The ancestor ids recorded with the node's event of that action. */
  private List<Long> ancestorIdsOf(long nodeId, String action) {
    return transactions.read(
        c -> {
          try (PreparedStatement query =
              c.prepareStatement(
                  "SELECT unnest(ancestor_ids) FROM tenancy.audit_events"
                      + " WHERE node_id = ? AND entity = 'nodes' AND action = ?")) {
            query.setLong(1, nodeId); // 1 the node
            query.setString(2, action); // 2 the action
            List<Long> ids = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
              while (row.next()) {
                ids.add(row.getLong(1));
              }
            }
            return ids;
          }
        });
  }

  private List<AuditEvent> page(long nodeId, Long beforeId, int limit) {
    return transactions.read(c -> audit.page(c, nodeId, beforeId, limit));
  }

  /** Actor and action of each event recorded for the node itself, oldest first. */
  private List<Tuple> eventsOf(long nodeId) {
    return transactions.read(
        c -> {
          try (PreparedStatement query =
              c.prepareStatement(
                  "SELECT actor, action FROM tenancy.audit_events WHERE node_id = ? ORDER BY id")) {
            query.setLong(1, nodeId); // 1 the node
            List<Tuple> events = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
              while (row.next()) {
                events.add(tuple(row.getString(1), row.getString(2)));
              }
            }
            return events;
          }
        });
  }

  private long count(String sql, Object parameter) {
    return transactions.read(
        c -> {
          try (PreparedStatement query = c.prepareStatement(sql)) {
            query.setObject(1, parameter);
            try (ResultSet row = query.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }
}
