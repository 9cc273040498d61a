package dev.rota.configvcs.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON Patches between documents, their inverse applied to later versions, and deep merges. */
class DocumentDiffTest {

  @Test
  void a_diff_is_a_json_patch_that_turns_one_document_into_the_other() {
    JsonValue from =
        JsonText.parse("{\"a/b\": 1, \"~\": [1, 2, 3], \"same\": {\"x\": 1}, \"gone\": 0}");
    JsonValue to =
        JsonText.parse("{\"a/b\": 2, \"~\": [1, 3, 4], \"same\": {\"x\": 1}, \"new\": null}");

    var patch = DocumentDiff.between(from, to);

    assertThat(patch.toString()).contains("\"/a~1b\"", "\"/~0/").doesNotContain("same");
    assertThat(JsonText.PROVIDER.createPatch(patch).apply((JsonStructure) from)).isEqualTo(to);
  }

  @Test
  void long_arrays_are_compared_index_by_index_instead_of_by_a_quadratic_table() {
    JsonArrayBuilder before = JsonText.PROVIDER.createArrayBuilder();
    JsonArrayBuilder after = JsonText.PROVIDER.createArrayBuilder();
    for (int i = 0; i < 20_000; i++) {
      before.add(i);
      after.add(i == 7_000 ? -1 : i);
    }
    after.add("tail");
    JsonValue from = before.build();
    JsonValue to = after.build();

    var patch = DocumentDiff.between(from, to);

    assertThat(patch).hasSize(2);
    assertThat(JsonText.PROVIDER.createPatch(patch).apply((JsonStructure) from)).isEqualTo(to);
  }

  @Test
  void undo_reverts_a_change_where_later_edits_left_it_and_refuses_where_they_did_not() {
    JsonValue before = JsonText.parse("{\"gpus\": 1, \"cpus\": 8}");
    JsonValue after = JsonText.parse("{\"gpus\": 99, \"cpus\": 8}");

    assertThat(Undo.apply(before, after, JsonText.parse("{\"gpus\": 99, \"cpus\": 16}")))
        .contains(JsonText.parse("{\"gpus\": 1, \"cpus\": 16}"));
    assertThat(Undo.apply(before, after, JsonText.parse("{\"gpus\": 50, \"cpus\": 8}"))).isEmpty();
  }

  @Test
  void deep_merge_lets_the_child_win_removes_on_null_and_names_each_leafs_node() {
    DeepMerge.Result merged =
        DeepMerge.merge(
            List.of(
                new DeepMerge.Layer(
                    1,
                    JsonText.parse(
                        "{\"q\": {\"gpus\": 8, \"cpus\": 4}, \"tags\": [\"a\"], \"x\": 1}")),
                new DeepMerge.Layer(
                    2,
                    JsonText.parse(
                        "{\"q\": {\"gpus\": 2}, \"tags\": [\"b\"], \"x\": null, \"e\": {}}"))));

    assertThat(CanonicalJson.write(merged.value()))
        .isEqualTo("{\"e\":{},\"q\":{\"cpus\":4,\"gpus\":2},\"tags\":[\"b\"]}");
    assertThat(merged.origins())
        .containsEntry("/q/gpus", 2L)
        .containsEntry("/q/cpus", 1L)
        .containsEntry("/tags", 2L)
        .containsEntry("/e", 2L)
        .doesNotContainKey("/x");
  }
}
