package dev.rota.tenancy.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rota.platform.Transactions;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Effective roles over the tree: inherited downwards, the highest binding winning, through the
 * groups a user is a direct member of (a group grants exactly the bindings made to it).
 */
class EffectiveRoleIT {

  private final TestTenancy tenancy = new TestTenancy();
  private final Transactions transactions = tenancy.transactions();
  private final RoleRepository roles = new RoleRepository();

  // root (group)
  //   ml (group)
  //     nlp (project)
  //     vision (project)
  //       train (subproject)
  //   ops (group)
  //     infra (project)
  private NodeRow root;
  private NodeRow ml;
  private NodeRow nlp;
  private NodeRow vision;
  private NodeRow train;
  private NodeRow ops;
  private NodeRow infra;

  @BeforeEach
  void seed_a_tree() {
    root = tenancy.root(0);
    ml = tenancy.child(root, NodeKind.GROUP, "ML");
    nlp = tenancy.child(ml, NodeKind.PROJECT, "NLP");
    vision = tenancy.child(ml, NodeKind.PROJECT, "Vision");
    train = tenancy.child(vision, NodeKind.SUBPROJECT, "Train");
    ops = tenancy.child(root, NodeKind.GROUP, "Ops");
    infra = tenancy.child(ops, NodeKind.PROJECT, "Infra");
  }

  @AfterEach
  void clean_up() {
    tenancy.close();
  }

  @Test
  void a_binding_at_an_ancestor_is_inherited_by_every_node_below_it() {
    UserRow user = tenancy.user("inherits");
    tenancy.bind(root, user.partyId(), Role.VIEWER);

    for (NodeRow node : List.of(root, ml, vision, train, ops, infra)) {
      assertThat(roleOf(user, node)).as(node.path()).contains(Role.VIEWER);
    }
  }

  @Test
  void the_highest_of_several_bindings_wins() {
    UserRow user = tenancy.user("several");
    tenancy.bind(root, user.partyId(), Role.VIEWER);
    tenancy.bind(ml, user.partyId(), Role.ADMIN);
    tenancy.bind(vision, user.partyId(), Role.MEMBER);

    assertThat(roleOf(user, root)).contains(Role.VIEWER);
    assertThat(roleOf(user, ops)).contains(Role.VIEWER);
    assertThat(roleOf(user, ml)).contains(Role.ADMIN);
    assertThat(roleOf(user, vision))
        .as("a lower binding below does not lower")
        .contains(Role.ADMIN);
    assertThat(roleOf(user, train)).contains(Role.ADMIN);
  }

  @Test
  void rebinding_a_party_at_the_same_node_replaces_its_role() {
    UserRow user = tenancy.user("rebound");
    tenancy.bind(vision, user.partyId(), Role.OWNER);
    tenancy.bind(vision, user.partyId(), Role.VIEWER);

    assertThat(roleOf(user, train)).contains(Role.VIEWER);
  }

  @Test
  void a_binding_to_a_group_applies_to_its_members_only() {
    UserRow member = tenancy.user("member");
    UserRow outsider = tenancy.user("outsider");
    tenancy.addMember(ml, member);
    tenancy.bind(vision, ml.partyId(), Role.MEMBER);

    assertThat(roleOf(member, vision)).contains(Role.MEMBER);
    assertThat(roleOf(member, train)).contains(Role.MEMBER);
    assertThat(roleOf(member, nlp)).isEmpty();
    assertThat(roleOf(outsider, vision)).isEmpty();
  }

  @Test
  void a_member_of_a_nested_group_gets_that_groups_bindings_and_not_those_of_the_groups_above() {
    UserRow mlMember = tenancy.user("ml-member");
    UserRow rootMember = tenancy.user("root-member");
    tenancy.addMember(ml, mlMember);
    tenancy.addMember(root, rootMember);
    tenancy.bind(ops, root.partyId(), Role.ADMIN);
    tenancy.bind(vision, ml.partyId(), Role.MEMBER);

    assertThat(roleOf(mlMember, vision)).as("ml's own binding").contains(Role.MEMBER);
    assertThat(roleOf(mlMember, infra))
        .as("whoever administers ml cannot hand out root's bindings by adding members to ml")
        .isEmpty();
    assertThat(roleOf(rootMember, infra)).contains(Role.ADMIN);
    assertThat(roleOf(rootMember, vision)).as("root's members are not ml's").isEmpty();
    List<Long> boundToMl = transactions.read(c -> roles.nodesBoundToGroup(c, ml.id()));
    assertThat(boundToMl)
        .as("the nodes whose access follows ml's membership")
        .containsExactly(vision.id());
  }

  @Test
  void without_a_binding_there_is_no_role() {
    UserRow nobody = tenancy.user("nobody");
    UserRow elsewhere = tenancy.user("elsewhere");
    tenancy.bind(ops, elsewhere.partyId(), Role.OWNER);

    for (NodeRow node : List.of(root, ml, vision, train, ops, infra)) {
      assertThat(roleOf(nobody, node)).as(node.path()).isEmpty();
    }
    assertThat(roleOf(elsewhere, vision)).isEmpty();
    assertThat(roleOf(elsewhere, root)).as("bindings do not go up").isEmpty();
  }

  @Test
  void visible_nodes_are_exactly_the_subtrees_under_the_users_bindings_page_by_page() {
    UserRow user = tenancy.user("visible");
    tenancy.bind(ml, user.partyId(), Role.VIEWER);
    tenancy.bind(vision, user.partyId(), Role.ADMIN); // inside ml: must not repeat nodes
    tenancy.addMember(ops, user);
    tenancy.bind(infra, ops.partyId(), Role.MEMBER);

    List<List<String>> pages = new ArrayList<>();
    String cursor = null;
    for (int guard = 0; guard < 10; guard++) {
      String after = cursor;
      List<NodeRow> page = transactions.read(c -> roles.visibleNodes(c, user.partyId(), after, 2));
      if (page.isEmpty()) {
        break;
      }
      pages.add(page.stream().map(NodeRow::path).toList());
      cursor = page.get(page.size() - 1).path();
    }

    String r = root.label();
    assertThat(pages)
        .containsExactly(
            List.of(r + ".ml", r + ".ml.nlp"),
            List.of(r + ".ml.vision", r + ".ml.vision.train"),
            List.of(r + ".ops.infra"));
  }

  @Test
  void a_user_without_bindings_sees_no_nodes() {
    UserRow user = tenancy.user("blind");
    tenancy.addMember(ml, user); // membership alone grants nothing

    List<NodeRow> visible =
        transactions.read(c -> roles.visibleNodes(c, user.partyId(), null, 100));

    assertThat(visible).isEmpty();
  }

  @Test
  void effective_members_lists_every_user_once_with_their_highest_role() {
    UserRow a = tenancy.user("a");
    UserRow b = tenancy.user("b");
    UserRow c = tenancy.user("c");
    UserRow d = tenancy.user("d");
    UserRow e = tenancy.user("e");
    UserRow f = tenancy.user("f");
    tenancy.bind(root, a.partyId(), Role.VIEWER);
    tenancy.bind(vision, a.partyId(), Role.ADMIN);
    tenancy.addMember(ml, b);
    tenancy.bind(ml, ml.partyId(), Role.MEMBER);
    tenancy.bind(train, b.partyId(), Role.OWNER); // below vision: does not count there
    tenancy.addMember(ops, c);
    tenancy.bind(ops, ops.partyId(), Role.ADMIN); // ops's binding stays in ops
    tenancy.bind(root, root.partyId(), Role.VIEWER); // not c's: ops's members are not root's
    tenancy.addMember(root, d); // d through root's own membership
    tenancy.bind(ops, e.partyId(), Role.OWNER);
    tenancy.bind(nlp, f.partyId(), Role.OWNER);

    List<RoleGrant> members = transactions.read(conn -> roles.effectiveMembers(conn, vision.id()));

    assertThat(members)
        .extracting(RoleGrant::partyId, RoleGrant::partyKind, RoleGrant::partyName, RoleGrant::role)
        .containsExactly(
            tuple(a.partyId(), "user", a.name(), Role.ADMIN),
            tuple(b.partyId(), "user", b.name(), Role.MEMBER),
            tuple(d.partyId(), "user", d.name(), Role.VIEWER));
  }

  @Test
  void visible_ancestors_are_the_lower_end_of_the_chain_the_user_holds_roles_on() {
    UserRow user = tenancy.user("climber");
    UserRow admin = tenancy.user("admin");
    tenancy.bind(vision, user.partyId(), Role.VIEWER);
    tenancy.bind(root, admin.partyId(), Role.OWNER);

    List<NodeRow> seenByViewer =
        transactions.read(c -> roles.visibleAncestors(c, user.partyId(), train.id()));
    List<NodeRow> seenByOwner =
        transactions.read(c -> roles.visibleAncestors(c, admin.partyId(), train.id()));

    assertThat(seenByViewer).extracting(NodeRow::id).containsExactly(vision.id());
    assertThat(seenByOwner)
        .extracting(NodeRow::id)
        .containsExactly(root.id(), ml.id(), vision.id());
  }

  private Optional<Role> roleOf(UserRow user, NodeRow node) {
    return transactions.read(c -> roles.effectiveRole(c, user.partyId(), node.id()));
  }
}
