package dev.rota.scheduling.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeekWindowTest {

  private static WeekWindow of(String start, String end) {
    return WeekWindow.of(WeekTime.parse("start", start), WeekTime.parse("end", end));
  }

  @Test
  void saturday_night_to_monday_morning_wraps_and_covers_two_pieces() {
    WeekWindow w = of("Sat 22:00", "Mon 06:00");

    assertThat(w.wraps()).isTrue();
    assertThat(w.seconds()).isEqualTo(32 * 3600);
    assertThat(w.pieces()).containsExactly(new int[] {0, 21_600}, new int[] {511_200, 604_800});
  }

  @Test
  void an_end_at_monday_midnight_is_the_end_of_the_week() {
    assertThat(of("Sun 22:00", "Mon 00:00")).isEqualTo(new WeekWindow(597_600, 604_800));
    assertThat(of("Mon 00:00", "Sun 24:00").seconds()).isEqualTo(604_800);
  }

  @Test
  void an_empty_window_is_refused() {
    assertThatThrownBy(() -> of("Mon 00:00", "Mon 00:00"))
        .isInstanceOf(InvalidSchedulingRequest.class);
    assertThatThrownBy(() -> of("Tue 10:00", "Tue 10:00"))
        .isInstanceOf(InvalidSchedulingRequest.class);
    assertThatThrownBy(() -> of("Sun 24:00", "Mon 01:00"))
        .isInstanceOf(InvalidSchedulingRequest.class);
  }

  @Test
  void touching_windows_do_not_overlap_and_wrapping_ones_meet_monday_mornings() {
    assertThat(of("Mon 01:00", "Mon 02:00").overlaps(of("Mon 02:00", "Mon 03:00"))).isFalse();
    assertThat(of("Sat 22:00", "Mon 06:00").overlaps(of("Mon 05:59", "Mon 08:00"))).isTrue();
    assertThat(of("Sat 22:00", "Mon 06:00").overlaps(of("Mon 06:00", "Sat 22:00"))).isFalse();
    assertThat(List.of(of("Sun 23:00", "Mon 01:00").pieces().size())).containsExactly(2);
  }
}
