package dev.rota.configvcs.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.TestDocuments;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        answers: ["yes", no, "123", "~", null]
        empty: {}
        """);

    assertThat(CanonicalJson.write(value))
        .isEqualTo(
            "{\"answers\":[\"yes\",\"no\",\"123\",\"~\",null],\"empty\":{},\"quota\":{\"big\":"
                + "1.2345678901234567890123456789e+29,\"gpus\":8,\"huge\":1e+400,"
                + "\"pi\":3.14159265358979323846264338327950288}}");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ~       | null
          null    | null
          Null    | null
          NULL    | null
          ''      | null
          true    | true
          True    | true
          TRUE    | true
          false   | false
          False   | false
          FALSE   | false
          0x1F    | 31
          0o17    | 15
          +12     | 12
          -12     | -12
          007     | 7
          .5      | 0.5
          -.5     | -0.5
          1.      | 1
          +1.5e3  | 1500
          yes     | "yes"
          on      | "on"
          0b101   | "0b101"
          1_000   | "1_000"
          '0x1G'  | "0x1G"
          """)
  void plain_scalars_read_per_the_yaml_1_2_core_schema(String scalar, String json) {
    assertThat(CanonicalJson.write(YamlText.read("a: " + scalar + "\n")))
        .isEqualTo("{\"a\":" + json + "}");
  }

  @Test
  void quoted_scalars_stay_strings() {
    assertThat(CanonicalJson.write(YamlText.read("a: ['~', \"True\", '0x1F', \"+12\", '.5']\n")))
        .isEqualTo("{\"a\":[\"~\",\"True\",\"0x1F\",\"+12\",\".5\"]}");
  }

  @Test
  void non_printable_characters_are_written_escaped() {
    JsonValue value =
        JsonText.parse("{\"del\\u007f\":\"a\\u007fb\\u0085c\\u0001d\\u009fe\\ufffef\"}");

    String yaml = YamlText.write(value);

    assertThat(yaml.chars().filter(YamlTextTest::forbiddenInYaml)).isEmpty();
    assertThat(CanonicalJson.write(YamlText.read(yaml))).isEqualTo(CanonicalJson.write(value));
  }

  @Test
  void word_keys_are_written_plain_and_keys_that_would_read_as_other_types_quoted() {
    JsonValue value =
        JsonText.parse(
            "{\"gpus\":1,\"/gpus/limit\":2,\"null\":3,\"True\":4,\"12\":5,\"a b\":6,\"\":7}");

    String yaml = YamlText.write(value);

    assertThat(yaml)
        .contains("gpus: 1\n", "/gpus/limit: 2\n", "\"null\": 3\n", "\"True\": 4\n")
        .contains("\"12\": 5\n", "\"a b\": 6\n", "\"\": 7\n");
    assertThat(CanonicalJson.write(YamlText.read(yaml))).isEqualTo(CanonicalJson.write(value));
  }

  /** Outside YAML 1.2's printable set (§5.1); such characters may only appear escaped. */
  private static boolean forbiddenInYaml(int c) {
    boolean printable =
        c == 0x9
            || c == 0xA
            || c == 0xD
            || (c >= 0x20 && c <= 0x7E)
            || c == 0x85
            || (c >= 0xA0 && c <= 0xD7FF)
            || (c >= 0xE000 && c <= 0xFFFD);
    return !printable && !Character.isSurrogate((char) c);
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
