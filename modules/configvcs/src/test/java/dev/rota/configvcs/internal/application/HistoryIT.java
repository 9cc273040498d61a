package dev.rota.configvcs.internal.application;

import static dev.rota.configvcs.internal.application.ConfigFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.configvcs.ConfigException.CommitNotFound;
import dev.rota.configvcs.ConfigException.InvalidReference;
import dev.rota.configvcs.ConfigException.PathNotFound;
import dev.rota.configvcs.ConfigException.RefNotFound;
import dev.rota.configvcs.ConfigException.RevertConflict;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.Change;
import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading history: any version by ref, tag or hash; the log; diffs; reverts. */
class HistoryIT {

  private final ConfigFixture world = new ConfigFixture();
  private final Caller admin = world.caller(Role.ADMIN);
  private final long node = world.root();

  @AfterEach
  void clean() {
    world.close();
  }

  @Test
  void every_version_is_readable_by_hash_tag_and_branch() {
    Commit first = world.put(admin, node, "main", "quotas", json("{\"gpus\": 1}"));
    world.refs.create(admin, node, RefName.of("v1"), RefRow.Kind.TAG, first.hash().hex());
    world.put(admin, node, "main", "quotas", json("{\"gpus\": 2}"));

    assertThat(document("main")).isEqualTo("{\"gpus\":2}");
    assertThat(document("v1")).isEqualTo("{\"gpus\":1}");
    assertThat(document(first.hash().hex())).isEqualTo("{\"gpus\":1}");
    assertThatThrownBy(() -> document("nope")).isInstanceOf(RefNotFound.class);
    assertThatThrownBy(() -> document("0".repeat(64))).isInstanceOf(CommitNotFound.class);
    assertThatThrownBy(() -> document("bad..name")).isInstanceOf(InvalidReference.class);
    assertThatThrownBy(() -> world.tree.document(admin, node, "main", ConfigPath.of("other")))
        .isInstanceOf(PathNotFound.class);
    assertThatThrownBy(() -> ConfigPath.of("../etc")).isInstanceOf(InvalidReference.class);
  }

  @Test
  void the_log_pages_newest_first_and_filters_by_path() {
    for (int i = 0; i < 5; i++) {
      world.put(admin, node, "main", "quotas", json("{\"gpus\": " + i + "}"));
      world.put(admin, node, "main", "images", json("{\"tag\": " + i + "}"));
    }

    List<Commit> all = world.history.log(admin, node, "main", null, null, 100);
    List<Commit> firstPage =
        world.history.log(admin, node, "main", null, ConfigPath.of("quotas"), 3);
    List<Commit> nextPage =
        world.history.log(
            admin, node, "main", firstPage.get(2).firstParent().get(), ConfigPath.of("quotas"), 3);

    assertThat(all).hasSize(11);
    assertThat(all.get(0).committedAt()).isAfterOrEqualTo(all.get(1).committedAt());
    assertThat(firstPage).hasSize(3).doesNotContainAnyElementsOf(nextPage);
    assertThat(nextPage).hasSize(2);
    assertThat(firstPage.get(0)).isEqualTo(all.get(1));
  }

  @Test
  void a_diff_is_a_json_patch_per_changed_path() {
    Commit from =
        world.put(
            admin, node, "main", "quotas", json("{\"gpus\": 1, \"cpus\": 8, \"pools\": [\"a\"]}"));
    world.put(admin, node, "main", "gone", json("true"));
    Commit to =
        world.commit(
            admin,
            node,
            "main",
            new Change.MergePatch(ConfigPath.of("quotas"), json("{\"gpus\": 2, \"cpus\": null}")),
            new Change.Delete(ConfigPath.of("gone")),
            new Change.Put(ConfigPath.of("images"), json("[\"cuda\"]")));

    HistoryService.Diff diff =
        world.history.diff(admin, node, from.hash().hex(), to.hash().hex(), null);

    assertThat(diff.paths())
        .extracting(p -> p.path().value() + " " + p.change())
        .containsExactly("images added", "quotas modified");
    assertThat(diff.paths().get(1).patch().toString())
        .isEqualTo(
            "[{\"op\":\"remove\",\"path\":\"/cpus\"},{\"op\":\"replace\",\"path\":\"/gpus\",\"value\":2}]");
    assertThat(world.history.diff(admin, node, null, "main", null).paths())
        .extracting(p -> p.change())
        .containsExactly("removed", "added", "modified");
  }

  @Test
  void a_revert_restores_the_earlier_version_as_a_new_commit() {
    world.put(admin, node, "main", "quotas", json("{\"gpus\": 1, \"cpus\": 8}"));
    Commit bad = world.put(admin, node, "main", "quotas", json("{\"gpus\": 99, \"cpus\": 8}"));
    world.commit(
        admin,
        node,
        "main",
        new Change.MergePatch(ConfigPath.of("quotas"), json("{\"cpus\": 16}")));

    Commit revert =
        world.reverts.revert(
            admin,
            node,
            new RevertService.RevertRequest(
                bad.hash(), RefName.MAIN, world.head(admin, node, "main"), null));

    assertThat(revert.message()).startsWith("Revert \"test change\"").contains(bad.hash().hex());
    assertThat(document("main")).isEqualTo("{\"cpus\":16,\"gpus\":1}");
  }

  @Test
  void a_revert_that_would_lose_a_later_edit_is_a_conflict() {
    world.put(admin, node, "main", "quotas", json("{\"gpus\": 1}"));
    Commit bad = world.put(admin, node, "main", "quotas", json("{\"gpus\": 99}"));
    world.put(admin, node, "main", "quotas", json("{\"gpus\": 50}"));
    ContentHash head = world.head(admin, node, "main");

    assertThatThrownBy(
            () ->
                world.reverts.revert(
                    admin,
                    node,
                    new RevertService.RevertRequest(bad.hash(), RefName.MAIN, head, null)))
        .isInstanceOf(RevertConflict.class);
    assertThat(world.head(admin, node, "main")).isEqualTo(head);
  }

  private String document(String ref) {
    return CanonicalJson.write(
        world.tree.document(admin, node, ref, ConfigPath.of("quotas")).document());
  }
}
