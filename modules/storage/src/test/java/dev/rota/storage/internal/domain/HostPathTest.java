package dev.rota.storage.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.storage.StorageException.InvalidVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"/data/team/ds1", "/data/team_a/ds-1.v2", "/mnt/nvme0/x"})
  void normalized_absolute_ascii_paths_are_accepted_as_given(String path) {
    assertThat(HostPath.parse(path).value()).isEqualTo(path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "data/x",
        "/",
        "/data/../etc",
        "/data/./x",
        "/data//x",
        "/data/x/",
        "/data/%2e%2e/x",
        "/data/\u2024\u2024/x",
        "/data/\uff0e\uff0e/x",
        "/data/ x",
        "/data/.hidden",
        "/data/x\u0000y",
        ""
      })
  void anything_that_could_resolve_elsewhere_is_refused(String path) {
    assertThatThrownBy(() -> HostPath.parse(path)).isInstanceOf(InvalidVolume.class);
  }

  @Test
  void a_path_of_exactly_path_max_less_the_nul_with_full_length_segments_is_accepted() {
    String path = pathOf(HostPath.MAX_BYTES, 255);

    assertThat(path).hasSize(4095);
    assertThat(HostPath.parse(path).value()).isEqualTo(path);
  }

  @ParameterizedTest
  @ValueSource(ints = {4096, 4255, 5000})
  void a_path_longer_than_4095_bytes_is_refused_saying_the_limit(int length) {
    assertThatThrownBy(() -> HostPath.parse(pathOf(length, 200)))
        .isInstanceOf(InvalidVolume.class)
        .hasMessageContaining(length + " bytes long")
        .hasMessageContaining("at most 4095");
  }

  @Test
  void a_segment_longer_than_255_bytes_is_refused_saying_the_limit() {
    String path = "/data/" + "s".repeat(256) + "/x";

    assertThatThrownBy(() -> HostPath.parse(path))
        .isInstanceOf(InvalidVolume.class)
        .hasMessageContaining("256 bytes long")
        .hasMessageContaining("at most 255");
    assertThat(HostPath.parse("/data/" + "s".repeat(255)).value()).endsWith("s");
  }

  @Test
  void a_refusal_never_echoes_a_wall_of_text() {
    assertThatThrownBy(() -> HostPath.parse("/data/" + "%".repeat(3000)))
        .isInstanceOf(InvalidVolume.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  /** An absolute path of exactly {@code length} bytes with segments of at most {@code segment}. */
  static String pathOf(int length, int segment) {
    StringBuilder path = new StringBuilder("/data");
    while (path.length() < length) {
      int room = length - path.length() - 1;
      path.append('/').append("p".repeat(Math.max(1, Math.min(segment, room))));
    }
    return path.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/data", "/database/x", "/dat"})
  void is_under_means_strictly_below_the_root_at_a_segment_boundary(String path) {
    assertThat(HostPath.parse(path).isUnder("/data")).isFalse();
    assertThat(HostPath.parse("/data/x").isUnder("/data")).isTrue();
  }
}
