package dev.rota.configvcs.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.TestDocuments;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** YAML in and out: exact round trips, and refusals instead of silent changes. */
class YamlTextTest {

  @Test
  void yaml_reads_as_the_json_it_means_with_every_digit() {
    JsonValue value =
        YamlText.read(
            """
        quota:
          gpus: 8
          big: 123456789012345678901234567890
          pi: 3.14159265358979323846264338327950288
          huge: 1e400
        answers: ["yes", no, "123", ~, null]
        empty: {}
        """);

    assertThat(CanonicalJson.write(value))
        .isEqualTo(
            "{\"answers\":[\"yes\",\"no\",\"123\",\"~\",null],\"empty\":{},\"quota\":{\"big\":"
                + "1.2345678901234567890123456789e+29,\"gpus\":8,\"huge\":1e+400,"
                + "\"pi\":3.14159265358979323846264338327950288}}");
  }

  @Test
  void awkward_json_round_trips_through_yaml() {
    JsonValue awkward = TestDocuments.awkward(120);

    String yaml = YamlText.write(awkward);

    assertThat(CanonicalJson.write(YamlText.read(yaml))).isEqualTo(CanonicalJson.write(awkward));
  }

  @Test
  void a_megabyte_round_trips_through_yaml() {
    JsonValue large = TestDocuments.large(2200);

    assertThat(CanonicalJson.write(YamlText.read(YamlText.write(large))))
        .isEqualTo(CanonicalJson.write(large));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a: [1, 2\n",
        "a: 1\na: 2\n",
        "a: &x {b: 1}\nc: *x\n",
        "a: .inf\n",
        "a: .nan\n",
        "a: !!binary aGVsbG8=\n",
        "a: 1\n---\nb: 2\n",
        "",
        "? [1, 2]\n: x\n",
        "a: \"\\0\"\n"
      })
  void malformed_or_unrepresentable_yaml_is_refused(String yaml) {
    assertThatThrownBy(() -> CanonicalJson.write(YamlText.read(yaml)))
        .isInstanceOf(InvalidDocument.class);
  }
}
