package dev.rota.storage.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.storage.StorageException.InvalidVolume;
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

  @ParameterizedTest
  @ValueSource(strings = {"/data", "/database/x", "/dat"})
  void is_under_means_strictly_below_the_root_at_a_segment_boundary(String path) {
    assertThat(HostPath.parse(path).isUnder("/data")).isFalse();
    assertThat(HostPath.parse("/data/x").isUnder("/data")).isTrue();
  }
}
