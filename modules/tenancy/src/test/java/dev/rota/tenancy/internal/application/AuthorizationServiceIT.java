package dev.rota.tenancy.internal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.TestTenancy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Access decisions: 404 for a node the caller may not see, 403 for a role too low. */
class AuthorizationServiceIT {

  private static final long NO_SUCH_NODE = 987_654_321_012L;

  private final TestTenancy tenancy = new TestTenancy();
  private final Transactions transactions = tenancy.transactions();
  private final AuthorizationService authorization = new AuthorizationService();
  private NodeRow root;
  private NodeRow project;

  @BeforeEach
  void seed_a_tree() {
    root = tenancy.root(0);
    project = tenancy.child(root, NodeKind.PROJECT, "Project");
  }

  @AfterEach
  void clean_up() {
    tenancy.close();
  }

  @Test
  void a_platform_administrator_is_owner_anywhere_without_any_binding() {
    Caller admin = caller("platform-admin-" + TestTenancy.unique(), true);

    assertThat(require(admin, project, Role.OWNER)).isEqualTo(Role.OWNER);
    assertThat(require(admin, root, Role.OWNER)).isEqualTo(Role.OWNER);
  }

  @Test
  void a_user_without_a_role_is_told_the_node_does_not_exist() {
    UserRow user = tenancy.user("stranger");
    tenancy.bind(project, tenancy.user("someone-else").partyId(), Role.OWNER);

    Throwable refusal =
        catchThrowable(() -> require(caller(user.name(), false), project, Role.VIEWER));

    assertThat(refusal).isInstanceOf(NodeNotFound.class);
    assertThat(((TenancyException) refusal).status()).isEqualTo(404);
    assertThat(refusal).hasMessageContaining(String.valueOf(project.id()));
  }

  @Test
  void a_caller_who_is_no_user_is_told_the_node_does_not_exist() {
    Throwable refusal =
        catchThrowable(
            () -> require(caller("unknown-" + TestTenancy.unique(), false), root, Role.VIEWER));

    assertThat(refusal).isInstanceOf(NodeNotFound.class);
  }

  @Test
  void a_viewer_asking_for_admin_is_forbidden_but_may_view() {
    UserRow viewer = tenancy.user("viewer");
    tenancy.bind(root, viewer.partyId(), Role.VIEWER);
    Caller caller = caller(viewer.name(), false);

    Throwable refusal = catchThrowable(() -> require(caller, project, Role.ADMIN));

    assertThat(refusal).isInstanceOf(Forbidden.class).hasMessageContaining("admin");
    assertThat(((TenancyException) refusal).status()).isEqualTo(403);
    assertThat(require(caller, project, Role.VIEWER)).isEqualTo(Role.VIEWER);
  }

  @Test
  void a_role_held_through_a_group_is_enough() {
    UserRow member = tenancy.user("grouped");
    tenancy.addMember(root, member);
    tenancy.bind(project, root.partyId(), Role.ADMIN);

    assertThat(require(caller(member.name(), false), project, Role.ADMIN)).isEqualTo(Role.ADMIN);
  }

  @Test
  void a_node_that_does_not_exist_is_not_found_even_for_a_platform_administrator() {
    UserRow owner = tenancy.user("owner");
    tenancy.bind(root, owner.partyId(), Role.OWNER);

    for (Caller caller :
        new Caller[] {caller("platform-admin", true), caller(owner.name(), false)}) {
      Throwable refusal =
          catchThrowable(
              () ->
                  transactions.read(
                      c -> authorization.require(c, caller, NO_SUCH_NODE, Role.VIEWER, "look")));

      assertThat(refusal).as(caller.name()).isInstanceOf(NodeNotFound.class);
      assertThat(((TenancyException) refusal).status()).isEqualTo(404);
    }
  }

  @Test
  void visibility_is_the_paths_bound_to_the_user_and_their_groups_or_everything_for_admins() {
    NodeRow other = tenancy.child(root, NodeKind.PROJECT, "Other");
    UserRow user = tenancy.user("lister");
    tenancy.bind(project, user.partyId(), Role.VIEWER);
    UserRow grouped = tenancy.user("grouped-lister");
    tenancy.addMember(root, grouped);
    tenancy.bind(other, root.partyId(), Role.MEMBER);

    Authorization.Visibility direct =
        transactions.read(c -> authorization.visibility(c, caller(user.name(), false)));
    Authorization.Visibility viaGroup =
        transactions.read(c -> authorization.visibility(c, caller(grouped.name(), false)));
    Authorization.Visibility none =
        transactions.read(
            c -> authorization.visibility(c, caller(tenancy.user("none").name(), false)));
    Authorization.Visibility admin =
        transactions.read(c -> authorization.visibility(c, caller("platform-admin", true)));

    assertThat(direct).isEqualTo(new Authorization.Visibility(false, List.of(project.path())));
    assertThat(viaGroup).isEqualTo(new Authorization.Visibility(false, List.of(other.path())));
    assertThat(none.anyRole()).isFalse();
    assertThat(admin.everything()).isTrue();
    assertThat(admin.anyRole()).isTrue();
  }

  private Role require(Caller caller, NodeRow node, Role minimum) {
    return transactions.read(c -> authorization.require(c, caller, node.id(), minimum, "do this"));
  }

  private static Caller caller(String name, boolean platformAdmin) {
    return new Caller(name, name, "https://issuer.test", Set.of(), platformAdmin);
  }
}
