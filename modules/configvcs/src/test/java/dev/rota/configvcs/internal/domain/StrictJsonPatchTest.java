package dev.rota.configvcs.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.configvcs.ConfigException.PatchFailed;
import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON Patch as RFC 6902 and RFC 6901 define it, where JSON-P alone is more lenient. */
class StrictJsonPatchTest {

  private static final JsonValue DOCUMENT =
      JsonText.parse("{\"gpus\": 1, \"share\": 0.50, \"arr\": [10, 20, 30], \"o\": {\"a\": 1}}");

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/gpus  | 1.0",
        "/gpus  | 1e0",
        "/gpus  | 10E-1",
        "/share | 0.5",
        "/share | 5e-1",
        "/arr   | [1e1, 20.0, 30]",
        "/o     | {\"a\": 1.00}"
      })
  void test_compares_numbers_by_value(String path, String value) {
    Optional<JsonValue> patched =
        patch("[{\"op\":\"test\",\"path\":\"" + path.strip() + "\",\"value\":" + value + "}]");

    assertThat(patched).contains(DOCUMENT);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"/gpus | 2", "/gpus | \"1\"", "/arr | [10, 20]", "/o | {\"a\": 1, \"b\": 2}"})
  void test_still_fails_for_different_values(String path, String value) {
    assertThatThrownBy(
            () ->
                patch(
                    "[{\"op\":\"test\",\"path\":\""
                        + path.strip()
                        + "\",\"value\":"
                        + value
                        + "}]"))
        .isInstanceOf(PatchFailed.class)
        .hasMessageContaining("not equal");
  }

  @Test
  void a_test_after_a_change_sees_the_changed_document() {
    Optional<JsonValue> patched =
        patch(
            "[{\"op\":\"replace\",\"path\":\"/gpus\",\"value\":2},"
                + "{\"op\":\"test\",\"path\":\"/gpus\",\"value\":2.0}]");

    assertThat(CanonicalJson.write(patched.orElseThrow())).contains("\"gpus\":2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"op\":\"replace\",\"path\":\"/arr/01\",\"value\":0}",
        "{\"op\":\"remove\",\"path\":\"/arr/00\"}",
        "{\"op\":\"test\",\"path\":\"/arr/+1\",\"value\":20}",
        "{\"op\":\"add\",\"path\":\"/arr/-0\",\"value\":0}",
        "{\"op\":\"copy\",\"from\":\"/arr/01\",\"path\":\"/x\"}"
      })
  void an_array_index_with_a_leading_zero_or_sign_is_refused(String operation) {
    assertThatThrownBy(() -> patch("[" + operation + "]"))
        .isInstanceOf(PatchFailed.class)
        .hasMessageContaining("not an array index");
  }

  @Test
  void proper_indices_and_object_keys_that_look_like_indices_still_work() {
    JsonValue withKey = JsonText.parse("{\"m\": {\"01\": \"x\"}, \"arr\": [1, 2]}");
    JsonArray operations =
        (JsonArray)
            JsonText.parse(
                "[{\"op\":\"replace\",\"path\":\"/m/01\",\"value\":\"y\"},"
                    + "{\"op\":\"replace\",\"path\":\"/arr/1\",\"value\":3},"
                    + "{\"op\":\"add\",\"path\":\"/arr/-\",\"value\":4},"
                    + "{\"op\":\"add\",\"path\":\"/arr/0\",\"value\":0}]");

    Optional<JsonValue> patched =
        new Change.JsonPatch(ConfigPath.of("doc"), operations).apply(Optional.of(withKey));

    assertThat(CanonicalJson.write(patched.orElseThrow()))
        .isEqualTo("{\"arr\":[0,1,3,4],\"m\":{\"01\":\"y\"}}");
  }

  private static Optional<JsonValue> patch(String operations) {
    return new Change.JsonPatch(ConfigPath.of("doc"), (JsonArray) JsonText.parse(operations))
        .apply(Optional.of(DOCUMENT));
  }
}
