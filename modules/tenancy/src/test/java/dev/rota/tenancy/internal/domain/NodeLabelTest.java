package dev.rota.tenancy.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeLabelTest {

  /** What the database's nodes_label_valid check accepts. */
  private static final String VALID_LABEL = "^[a-z0-9][a-z0-9_]{0,62}$";

  @Test
  void dots_spaces_and_mixed_case_become_one_lowercase_slug() {
    assertThat(NodeLabel.fromName("ML.Vision Team").value()).isEqualTo("ml_vision_team");
  }

  @Test
  void runs_of_separators_become_one_underscore_and_the_ends_are_trimmed() {
    assertThat(NodeLabel.fromName("  --Data   &  Infra!! ").value()).isEqualTo("data_infra");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Vision\u0000", "a\u0000b", "tab\there", "line\nbreak", "del\u007f"})
  void a_name_with_a_control_character_is_refused(String name) {
    assertThatThrownBy(() -> NodeLabel.fromName(name))
        .isInstanceOf(InvalidTenancyRequest.class)
        .hasMessageContaining("control characters");
  }

  @Test
  void accents_are_dropped() {
    assertThat(NodeLabel.fromName("Café").value()).isEqualTo("cafe");
    assertThat(NodeLabel.fromName("Équipe Zürich Ñandú").value()).isEqualTo("equipe_zurich_nandu");
  }

  @Test
  void a_name_with_only_unicode_letters_outside_a_z_is_refused() {
    assertThatThrownBy(() -> NodeLabel.fromName("日本"))
        .isInstanceOf(InvalidTenancyRequest.class)
        .hasMessageContaining("日本");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "---", "!!!"})
  void a_name_with_no_letter_or_digit_is_refused(String name) {
    assertThatThrownBy(() -> NodeLabel.fromName(name)).isInstanceOf(InvalidTenancyRequest.class);
  }

  @Test
  void a_missing_name_is_refused() {
    assertThatThrownBy(() -> NodeLabel.fromName(null)).isInstanceOf(InvalidTenancyRequest.class);
  }

  @Test
  void a_name_over_200_characters_is_refused() {
    assertThatThrownBy(() -> NodeLabel.fromName("a".repeat(300)))
        .isInstanceOf(InvalidTenancyRequest.class)
        .hasMessageContaining("300");
    assertThatThrownBy(() -> NodeLabel.fromName("a".repeat(NodeLabel.MAX_NAME_LENGTH + 1)))
        .isInstanceOf(InvalidTenancyRequest.class);
  }

  @Test
  void a_name_of_exactly_200_characters_is_accepted_and_cut() {
    assertThat(NodeLabel.fromName("b".repeat(NodeLabel.MAX_NAME_LENGTH)).value())
        .isEqualTo("b".repeat(63));
  }

  @Test
  void a_150_character_name_is_cut_to_at_most_63_characters_of_a_valid_label() {
    String name = "Research Group ".repeat(10);

    String label = NodeLabel.fromName(name).value();

    assertThat(name).hasSize(150);
    assertThat(label).hasSizeLessThanOrEqualTo(63).matches(VALID_LABEL);
    assertThat(label).startsWith("research_group_research_group");
  }

  @Test
  void a_cut_that_ends_on_a_separator_drops_the_trailing_underscore() {
    // The 63rd character of the slug is the underscore between the two words.
    String label = NodeLabel.fromName("x".repeat(62) + " " + "y".repeat(80)).value();

    assertThat(label).isEqualTo("x".repeat(62)).matches(VALID_LABEL);
  }

  @Test
  void the_same_name_always_gives_the_same_label_and_a_label_is_its_own_slug() {
    for (String name :
        List.of("ML.Vision Team", "Café", "  --Data   &  Infra!! ", "Research Group ".repeat(10))) {
      NodeLabel first = NodeLabel.fromName(name);

      assertThat(NodeLabel.fromName(name)).isEqualTo(first);
      assertThat(NodeLabel.fromName(first.value())).isEqualTo(first);
      assertThat(first.value()).matches(VALID_LABEL);
    }
  }

  @Test
  void a_slash_path_becomes_an_ltree_path() {
    assertThat(NodeLabel.toLtree("acme/ml/vision_2")).isEqualTo("acme.ml.vision_2");
    assertThat(NodeLabel.toLtree("/acme/ml/")).isEqualTo("acme.ml");
    assertThat(NodeLabel.toSlashPath("acme.ml.vision_2")).isEqualTo("acme/ml/vision_2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a//b", "../x", "A/b", "a.b", "a/_b", "a b", "", "/", "a/ü"})
  void a_path_no_label_can_make_is_refused(String path) {
    assertThatThrownBy(() -> NodeLabel.toLtree(path))
        .isInstanceOf(InvalidTenancyRequest.class)
        .hasMessageContaining("is not a node path");
  }

  @Test
  void a_path_label_longer_than_63_characters_is_refused() {
    assertThat(NodeLabel.toLtree("acme/" + "a".repeat(63))).endsWith("a".repeat(63));
    assertThatThrownBy(() -> NodeLabel.toLtree("acme/" + "a".repeat(64)))
        .isInstanceOf(InvalidTenancyRequest.class);
  }
}
