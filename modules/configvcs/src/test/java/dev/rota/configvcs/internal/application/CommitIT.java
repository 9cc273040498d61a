package dev.rota.configvcs.internal.application;

import static dev.rota.configvcs.internal.application.ConfigFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.configvcs.ConfigException.PatchFailed;
import dev.rota.configvcs.ConfigException.RefRefused;
import dev.rota.configvcs.ConfigException.StaleParent;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import jakarta.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Commits as the services make them: compare-and-swap, roles, changes, protected refs. */
class CommitIT {

  private final ConfigFixture world = new ConfigFixture();
  private final Caller admin = world.caller(Role.ADMIN);
  private final long node = world.root();

  @AfterEach
  void clean() {
    world.close();
  }

  @Test
  void a_repository_starts_with_an_empty_root_commit_on_main() {
    Commit root = world.history.commit(admin, node, "main");

    assertThat(root.parents()).isEmpty();
    assertThat(world.tree.snapshot(admin, node, "main").documents()).isEmpty();
    assertThat(world.refs.page(admin, node, null, 10))
        .extracting(RefRow::name)
        .containsExactly("main");
  }

  @Test
  void twenty_racing_committers_on_one_parent_leave_exactly_one_winner() throws Exception {
    ContentHash parent = world.head(admin, node, "main");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      attempts.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  world.commits.commit(
                      admin,
                      node,
                      new CommitService.CommitRequest(
                          RefName.MAIN,
                          parent,
                          "racer " + n,
                          List.of(
                              new Change.Put(
                                  ConfigPath.of("quotas"), json("{\"gpus\": " + n + "}")))));
                  return true;
                } catch (StaleParent e) {
                  assertThat(e.extensions()).containsKey("currentHead");
                  return false;
                }
              }));
    }
    start.countDown();
    int winners = 0;
    for (Future<Boolean> attempt : attempts) {
      winners += attempt.get(120, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(winners).isEqualTo(1);
    Commit head = world.history.commit(admin, node, "main");
    assertThat(head.parents()).containsExactly(parent);
    assertThat(world.history.log(admin, node, "main", null, null, 100)).hasSize(2);
  }

  @Test
  void a_stale_parent_is_refused_with_the_current_head_and_changes_nothing() {
    ContentHash parent = world.head(admin, node, "main");
    Commit first = world.put(admin, node, "main", "quotas", json("{\"gpus\": 1}"));

    StaleParent stale =
        (StaleParent)
            catchThrowable(
                () ->
                    world.commits.commit(
                        admin,
                        node,
                        new CommitService.CommitRequest(
                            RefName.MAIN,
                            parent,
                            "late",
                            List.of(
                                new Change.Put(ConfigPath.of("quotas"), json("{\"gpus\": 2}"))))));

    assertThat(stale.extensions()).containsEntry("currentHead", first.hash().hex());
    assertThat(world.head(admin, node, "main")).isEqualTo(first.hash());
  }

  @Test
  void merge_patches_json_patches_and_deletes_apply_in_order() {
    world.put(
        admin, node, "main", "quotas", json("{\"gpus\": 4, \"cpus\": 32, \"pools\": [\"a\"]}"));
    world.put(admin, node, "main", "old", json("[1]"));

    world.commit(
        admin,
        node,
        "main",
        new Change.MergePatch(ConfigPath.of("quotas"), json("{\"gpus\": 8, \"cpus\": null}")),
        new Change.JsonPatch(
            ConfigPath.of("quotas"),
            (JsonArray) json("[{\"op\":\"add\",\"path\":\"/pools/-\",\"value\":\"b\"}]")),
        new Change.MergePatch(ConfigPath.of("images/default"), json("{\"name\": \"cuda\"}")),
        new Change.Delete(ConfigPath.of("old")));

    var snapshot = world.tree.snapshot(admin, node, "main").documents();
    assertThat(snapshot.keySet())
        .extracting(ConfigPath::value)
        .containsExactly("images/default", "quotas");
    assertThat(CanonicalJson.write(snapshot.get(ConfigPath.of("quotas")).document()))
        .isEqualTo("{\"gpus\":8,\"pools\":[\"a\",\"b\"]}");
  }

  @Test
  void a_patch_that_does_not_apply_is_refused_and_nothing_is_committed() {
    world.put(admin, node, "main", "quotas", json("{\"gpus\": 4}"));
    ContentHash head = world.head(admin, node, "main");

    assertThatThrownBy(
            () ->
                world.commit(
                    admin,
                    node,
                    "main",
                    new Change.JsonPatch(
                        ConfigPath.of("quotas"),
                        (JsonArray) json("[{\"op\":\"test\",\"path\":\"/gpus\",\"value\":5}]"))))
        .isInstanceOf(PatchFailed.class);
    assertThatThrownBy(
            () ->
                world.commit(
                    admin,
                    node,
                    "main",
                    new Change.JsonPatch(ConfigPath.of("missing"), (JsonArray) json("[]"))))
        .isInstanceOf(PatchFailed.class);
    assertThatThrownBy(
            () -> world.commit(admin, node, "main", new Change.Delete(ConfigPath.of("missing"))))
        .isInstanceOf(PatchFailed.class);
    assertThat(world.head(admin, node, "main")).isEqualTo(head);
  }

  @Test
  void viewers_read_members_commit_to_branches_and_admins_to_main_and_refs() {
    Caller viewer = world.caller(Role.VIEWER);
    Caller member = world.caller(Role.MEMBER);
    Caller stranger = new Caller("nobody", "nobody", "test", java.util.Set.of(), false);
    world.refs.create(admin, node, RefName.of("staging"), RefRow.Kind.BRANCH, "main");

    assertThat(world.tree.snapshot(viewer, node, "main").documents()).isEmpty();
    assertThatThrownBy(() -> world.put(viewer, node, "staging", "a", json("1")))
        .isInstanceOf(Forbidden.class);
    world.put(member, node, "staging", "a", json("1"));
    assertThatThrownBy(() -> world.put(member, node, "main", "a", json("1")))
        .isInstanceOf(Forbidden.class);
    assertThatThrownBy(
            () -> world.refs.create(member, node, RefName.of("mine"), RefRow.Kind.BRANCH, "main"))
        .isInstanceOf(Forbidden.class);
    assertThatThrownBy(() -> world.tree.snapshot(stranger, node, "main"))
        .isInstanceOf(NodeNotFound.class);
    world.put(admin, node, "main", "a", json("2"));
  }

  @Test
  void main_is_protected_and_tags_never_move() {
    Commit tagged = world.put(admin, node, "main", "quotas", json("{\"gpus\": 1}"));
    world.refs.create(admin, node, RefName.of("v1"), RefRow.Kind.TAG, "main");

    assertThatThrownBy(() -> world.refs.delete(admin, node, RefName.MAIN))
        .isInstanceOf(RefRefused.class);
    assertThatThrownBy(
            () ->
                world.commits.commit(
                    admin,
                    node,
                    new CommitService.CommitRequest(
                        RefName.of("v1"),
                        tagged.hash(),
                        "move a tag",
                        List.of(new Change.Delete(ConfigPath.of("quotas"))))))
        .isInstanceOf(RefRefused.class);
    assertThat(
            ConfigFixture.constraintOf(
                catchThrowable(
                    () ->
                        world.execute(
                            "DELETE FROM configvcs.refs WHERE node_id = ? AND name = 'main'",
                            node))))
        .isEqualTo("refs_main_protected");
    assertThat(
            ConfigFixture.constraintOf(
                catchThrowable(
                    () ->
                        world.execute(
                            "UPDATE configvcs.refs SET commit_hash = (SELECT hash FROM configvcs.commits c WHERE c.node_id = ?"
                                + " AND cardinality(c.parents) = 0) WHERE node_id = ? AND name = 'v1'",
                            node,
                            node))))
        .isEqualTo("refs_tag_immutable");
    world.refs.delete(admin, node, RefName.of("v1"));
  }

  @Test
  void deleting_the_node_drops_its_refs_and_keeps_its_history() {
    long project = world.project(node);
    Commit commit = world.put(admin, project, "main", "quotas", json("{\"gpus\": 1}"));

    world.execute("DELETE FROM tenancy.nodes WHERE id = ?", project);

    assertThat(world.count("SELECT count(*) FROM configvcs.refs WHERE node_id = ?", project))
        .isZero();
    assertThat(
            world.count(
                "SELECT count(*) FROM configvcs.commits WHERE node_id = ? AND hash = ?",
                project,
                commit.hash().bytes()))
        .isEqualTo(1);
  }
}
