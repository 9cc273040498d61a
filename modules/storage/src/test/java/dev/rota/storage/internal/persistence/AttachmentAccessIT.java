package dev.rota.storage.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.Race;
import dev.rota.platform.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * An attachment stays allowed for as long as it exists: a change of the tree or of roles that would
 * leave a group's volume outside the group's subtree, or a user's volume where the user is no
 * longer a member, is refused by the database (409, "detach first"), also when it races an attach.
 */
class AttachmentAccessIT {

  private static final String AFFINITY = "{\"nodeSelectorTerms\":[{\"matchExpressions\":[]}]}";

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final VolumeRepository volumes = new VolumeRepository();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String root = "/data/" + suffix;
  private final String pool = "pool-" + suffix;

  private Node acme;
  private Node vision;
  private Node detection;
  private Node rival;
  private Node theirs;
  private long alice;

  /** A node of the tree; {@code party} is set for groups. */
  record Node(long id, Long party) {}

  @BeforeEach
  void a_tree_a_user_and_a_pool() {
    transactions.write(
        "test",
        c -> {
          volumes.setPoolRoot(c, pool, root);
          acme = node(c, "group", null, "acme_" + suffix);
          vision = node(c, "project", acme, "vision");
          detection = node(c, "subproject", vision, "detection");
          rival = node(c, "group", null, "rival_" + suffix);
          theirs = node(c, "project", rival, "theirs");
          alice = user(c, "alice-" + suffix);
          return null;
        });
  }

  @Test
  void moving_a_project_out_of_the_group_is_refused_while_the_groups_volume_is_attached_below() {
    long volume = volume(acme.party(), "datasets");
    change(c -> volumes.attach(c, volume, detection.id()));

    assertThat(refusal(c -> move(c, vision, rival))).isEqualTo("attachments_stay_in_group_subtree");
    assertThat(refusal(c -> move(c, detection, theirs)))
        .isEqualTo("attachments_stay_in_group_subtree");
    change(c -> rename(c, vision, "vision_renamed")); // a rename keeps the subtree: allowed

    change(c -> volumes.detach(c, volume, detection.id()));
    change(c -> move(c, vision, rival));
  }

  @Test
  void removing_or_lowering_a_users_role_is_refused_while_their_volume_is_attached_there() {
    change(c -> bind(c, vision, alice, "member"));
    long volume = volume(alice, "scratch");
    change(c -> volumes.attach(c, volume, detection.id()));

    assertThat(refusal(c -> unbind(c, vision, alice))).isEqualTo("attachments_owner_stays_member");
    assertThat(refusal(c -> bind(c, vision, alice, "viewer")))
        .isEqualTo("attachments_owner_stays_member");
    change(c -> bind(c, vision, alice, "admin")); // raising is always fine

    change(c -> volumes.detach(c, volume, detection.id()));
    change(c -> unbind(c, vision, alice));
  }

  @Test
  void removing_a_user_from_the_group_that_makes_them_a_member_is_refused_while_attached() {
    Node ml = write(c -> node(c, "group", acme, "ml"));
    change(c -> bind(c, vision, ml.party(), "member"));
    change(c -> join(c, ml, alice));
    long volume = volume(alice, "via-group");
    change(c -> volumes.attach(c, volume, vision.id()));

    assertThat(refusal(c -> leave(c, ml, alice))).isEqualTo("attachments_owner_stays_member");
    assertThat(refusal(c -> unbind(c, vision, ml.party())))
        .isEqualTo("attachments_owner_stays_member");

    change(c -> bind(c, vision, alice, "member")); // a second way in
    change(c -> leave(c, ml, alice));
  }

  @Test
  void moving_a_node_away_from_where_its_users_membership_comes_from_is_refused_while_attached() {
    change(c -> bind(c, vision, alice, "member"));
    Node other = write(c -> node(c, "project", acme, "other"));
    long volume = volume(alice, "moves");
    change(c -> volumes.attach(c, volume, detection.id()));

    assertThat(refusal(c -> move(c, detection, other))).isEqualTo("attachments_owner_stays_member");
  }

  @Test
  void a_users_volume_attaches_only_where_the_user_is_a_member_whoever_writes() {
    long volume = volume(alice, "nowhere");
    change(c -> bind(c, theirs, alice, "viewer"));

    assertThat(refusal(c -> volumes.attach(c, volume, theirs.id())))
        .isEqualTo("attachments_user_volume_where_member");
    assertThat(refusal(c -> volumes.attach(c, volume, vision.id())))
        .isEqualTo("attachments_user_volume_where_member");
  }

  @RepeatedTest(5)
  void a_role_removal_racing_an_attach_never_leaves_a_volume_where_its_owner_is_no_member() {
    change(c -> bind(c, vision, alice, "member"));
    long volume = volume(alice, "raced");

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            2,
            (competitor, c) -> {
              if (competitor == 0) {
                unbind(c, vision, alice);
              } else {
                volumes.attach(c, volume, vision.id());
              }
            });

    assertThat(outcome.winners()).isEqualTo(1);
    assertThat(outcome.refusedBy())
        .singleElement()
        .isIn("attachments_owner_stays_member", "attachments_user_volume_where_member");
  }

  private long volume(long owner, String name) {
    return write(
        c ->
            volumes.insert(
                c,
                name,
                owner,
                pool,
                root + "/" + name,
                1024,
                "ReadWriteOnce",
                AFFINITY,
                List.of("n1")));
  }

  private <T> T write(Transactions.Work<T> work) {
    return transactions.write("test", work);
  }

  private void change(Step step) {
    transactions.write(
        "test",
        c -> {
          step.run(c);
          return null;
        });
  }

  private String refusal(Step step) {
    return StorageFixtures.constraintOf(catchThrowable(() -> change(step)));
  }

  /** A change made in one transaction. */
  @FunctionalInterface
  interface Step {
    void run(Connection c) throws SQLException;
  }

  private static Node node(Connection c, String kind, Node parent, String label)
      throws SQLException {
    Long party = null;
    if (kind.equals("group")) {
      try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id");
          ResultSet row = insert.executeQuery()) {
        row.next();
        party = row.getLong(1);
      }
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            """
            INSERT INTO tenancy.nodes (kind, parent_id, name, label, party_id)
            VALUES (?::tenancy.node_kind, ?, ?, ?, ?)   -- 1 kind, 2 parent, 3 name, 4 label, 5 party
            RETURNING id
            """)) {
      insert.setString(1, kind);
      insert.setObject(2, parent == null ? null : parent.id());
      insert.setString(3, label);
      insert.setString(4, label);
      insert.setObject(5, party);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return new Node(row.getLong(1), party);
      }
    }
  }

  private static long user(Connection c, String name) throws SQLException {
    long party;
    try (PreparedStatement insert =
            c.prepareStatement("INSERT INTO tenancy.parties (kind) VALUES ('user') RETURNING id");
        ResultSet row = insert.executeQuery()) {
      row.next();
      party = row.getLong(1);
    }
    update(c, "INSERT INTO tenancy.users (party_id, name) VALUES (?, ?)", party, name);
    return party;
  }

  private static void bind(Connection c, Node node, long party, String role) throws SQLException {
    update(
        c,
        """
        INSERT INTO tenancy.role_bindings (node_id, party_id, role)
        VALUES (?, ?, ?::tenancy.role)                    -- 1 node, 2 party, 3 role
        ON CONFLICT (node_id, party_id) DO UPDATE SET role = EXCLUDED.role
        """,
        node.id(),
        party,
        role);
  }

  private static void unbind(Connection c, Node node, long party) throws SQLException {
    update(
        c,
        "DELETE FROM tenancy.role_bindings WHERE node_id = ? AND party_id = ?", // 1 node, 2 party
        node.id(),
        party);
  }

  private static void join(Connection c, Node group, long user) throws SQLException {
    update(
        c,
        "INSERT INTO tenancy.group_members (group_party_id, user_party_id) VALUES (?, ?)",
        group.party(),
        user);
  }

  private static void leave(Connection c, Node group, long user) throws SQLException {
    update(
        c,
        "DELETE FROM tenancy.group_members WHERE group_party_id = ? AND user_party_id = ?",
        group.party(),
        user);
  }

  private static void move(Connection c, Node node, Node parent) throws SQLException {
    update(c, "UPDATE tenancy.nodes SET parent_id = ? WHERE id = ?", parent.id(), node.id());
  }

  private static void rename(Connection c, Node node, String label) throws SQLException {
    update(c, "UPDATE tenancy.nodes SET name = ?, label = ? WHERE id = ?", label, label, node.id());
  }

  private static void update(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }
}
