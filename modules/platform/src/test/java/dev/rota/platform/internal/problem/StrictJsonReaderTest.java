package dev.rota.platform.internal.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON request bodies are read strictly: what JSON-B alone would truncate or ignore is a 400. */
class StrictJsonReaderTest {

  /** Shaped like the modules' requests: boxed and primitive integers, nested records, lists. */
  public record Quota(Long parentId, Integer guaranteedGpus, int gpus, double share) {}

  public record Nested(List<Quota> quotas, Map<String, Long> sizes, Optional<Integer> limit) {}

  private final StrictJsonReader reader = new StrictJsonReader();

  @Test
  void a_well_formed_body_binds_as_before() {
    Quota quota =
        (Quota)
            read(
                Quota.class,
                "{\"parentId\": 4349, \"guaranteedGpus\": 10, \"gpus\": 1.0e1, \"share\": 0.5}");

    assertThat(quota).isEqualTo(new Quota(4349L, 10, 10, 0.5));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"parentId\": 4349.5}",
        "{\"guaranteedGpus\": 10.7}",
        "{\"gpus\": -0.25}",
        "{\"gpus\": 1e-3}"
      })
  void a_fraction_for_an_integer_field_is_refused(String body) {
    assertThatThrownBy(() -> read(Quota.class, body))
        .isInstanceOf(MalformedBody.class)
        .hasMessageContaining("must be a whole number");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"guaranteedGpus\": 2147483648}",
        "{\"gpus\": -2147483649}",
        "{\"parentId\": 9223372036854775808}",
        "{\"parentId\": 1e400}",
        "{\"share\": 1e400}"
      })
  void a_number_beyond_the_fields_range_is_refused(String body) {
    assertThatThrownBy(() -> read(Quota.class, body))
        .isInstanceOf(MalformedBody.class)
        .hasMessageContaining("range");
  }

  @Test
  void numbers_inside_lists_maps_and_optionals_are_checked_too() {
    assertThatThrownBy(() -> read(Nested.class, "{\"quotas\": [{}, {\"gpus\": 1.5}]}"))
        .hasMessageContaining("quotas[1].gpus");
    assertThatThrownBy(() -> read(Nested.class, "{\"sizes\": {\"a\": 0.1}}"))
        .hasMessageContaining("sizes.a");
    assertThatThrownBy(() -> read(Nested.class, "{\"limit\": 3.5}")).hasMessageContaining("limit");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{\"gpus\": 1}xyz", "{\"gpus\": 1}{\"gpus\": 2}", "{\"gpus\": 1} 2", "[1] ]"})
  void content_after_the_json_value_is_refused(String body) {
    assertThatThrownBy(() -> read(Object.class, body))
        .isInstanceOf(MalformedBody.class)
        .hasMessageContaining("content after its JSON value")
        .hasMessageContaining("line 1, column");
  }

  @Test
  void invalid_utf8_is_refused_saying_where() {
    byte[] body = {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThatThrownBy(() -> read(JsonValue.class, body))
        .isInstanceOf(MalformedBody.class)
        .hasMessageContaining("not valid UTF-8")
        .hasMessageContaining("byte 6");
  }

  @Test
  void a_truncated_utf8_sequence_at_the_end_is_refused() {
    byte[] body = {'"', 'a', (byte) 0xE2, (byte) 0x82};

    assertThatThrownBy(() -> read(JsonValue.class, body)).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void valid_utf8_passes_unchanged() {
    JsonObject value = (JsonObject) read(JsonObject.class, "{\"name\": \"Zürich ☃ 𝄞\"}");

    assertThat(value.getString("name")).isEqualTo("Zürich ☃ 𝄞");
  }

  @Test
  void a_key_given_twice_is_refused() {
    assertThatThrownBy(() -> read(Quota.class, "{\"gpus\": 1, \"gpus\": 2}"))
        .isInstanceOf(MalformedBody.class);
  }

  @Test
  void malformed_json_says_line_and_column() {
    assertThatThrownBy(() -> read(Quota.class, "{\n  \"gpus\": }"))
        .isInstanceOf(MalformedBody.class)
        .hasMessageContaining("line 2");
  }

  @Test
  void an_empty_body_is_refused() {
    assertThatThrownBy(() -> read(Quota.class, "  ")).hasMessageContaining("empty");
  }

  @Test
  void a_body_of_the_wrong_json_kind_is_refused_without_java_names() {
    assertThatThrownBy(() -> read(JsonObject.class, "[1]")).hasMessageContaining("an array");
    assertThatThrownBy(() -> read(Quota.class, "{\"gpus\": \"many\"}"))
        .isInstanceOf(MalformedBody.class)
        .message()
        .doesNotContain("dev.rota", "java.", "Exception");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void a_declared_length_is_read_without_waiting_for_the_end_of_the_stream() throws Exception {
    byte[] json = "{\"gpus\": 3}".getBytes(StandardCharsets.UTF_8);
    InputStream stalls =
        new SequenceInputStream(
            new ByteArrayInputStream(json),
            new InputStream() {
              @Override
              public int read() {
                throw new AssertionError("read past the declared Content-Length");
              }
            });
    MultivaluedHashMap<String, String> headers = new MultivaluedHashMap<>();
    headers.putSingle("Content-Length", String.valueOf(json.length));

    Object quota = reader.readFrom((Class) Quota.class, Quota.class, null, null, headers, stalls);

    assertThat(quota).isEqualTo(new Quota(null, null, 3, 0.0));
  }

  private Object read(Type type, String body) {
    return read(type, body.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Object read(Type type, byte[] body) {
    try {
      Class raw = type instanceof Class<?> c ? c : Object.class;
      return reader.readFrom(raw, type, null, null, null, new ByteArrayInputStream(body));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
