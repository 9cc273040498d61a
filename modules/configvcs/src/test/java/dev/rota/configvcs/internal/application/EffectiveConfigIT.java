package dev.rota.configvcs.internal.application;

import static dev.rota.configvcs.internal.application.ConfigFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.DeepMerge;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Inheritance down the tree: root first, the node winning, each leaf naming its node. */
class EffectiveConfigIT {

  private final ConfigFixture world = new ConfigFixture();
  private final Caller admin = world.caller(Role.ADMIN);

  @AfterEach
  void clean() {
    world.close();
  }

  @Test
  void the_effective_configuration_merges_the_main_heads_of_the_ancestors_child_winning() {
    long group = world.root();
    long project = world.project(group);
    world.put(
        admin,
        group,
        "main",
        "quotas",
        json(
            "{\"gpus\": {\"limit\": 8, \"default\": 1}, \"pools\": [\"a\", \"b\"], \"debug\": true}"));
    world.put(admin, group, "main", "images", json("{\"default\": \"cuda:12\"}"));
    world.put(
        admin,
        project,
        "main",
        "quotas",
        json("{\"gpus\": {\"limit\": 2}, \"pools\": [\"b\"], \"debug\": null}"));

    EffectiveConfigService.Effective effective = world.effective.of(admin, project);

    DeepMerge.Result quotas = effective.documents().get(ConfigPath.of("quotas"));
    assertThat(CanonicalJson.write(quotas.value()))
        .isEqualTo("{\"gpus\":{\"default\":1,\"limit\":2},\"pools\":[\"b\"]}");
    assertThat(quotas.origins())
        .containsEntry("/gpus/limit", project)
        .containsEntry("/gpus/default", group)
        .containsEntry("/pools", project)
        .doesNotContainKey("/debug");
    assertThat(effective.documents().get(ConfigPath.of("images")).origins())
        .containsEntry("/default", group);
    assertThat(effective.layers()).extracting(l -> l.nodeId()).containsExactly(group, project);
  }

  @Test
  void a_node_without_configuration_inherits_everything() {
    long group = world.root();
    long project = world.project(group);
    world.put(admin, group, "main", "quotas", json("{\"gpus\": 4}"));

    EffectiveConfigService.Effective effective = world.effective.of(admin, project);

    assertThat(effective.documents().get(ConfigPath.of("quotas")).origins())
        .containsEntry("/gpus", group);
  }
}
