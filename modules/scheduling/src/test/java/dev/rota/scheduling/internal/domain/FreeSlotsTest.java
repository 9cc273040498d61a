package dev.rota.scheduling.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeSlotsTest {

  private static WeekWindow of(String start, String end) {
    return WeekWindow.of(WeekTime.parse("start", start), WeekTime.parse("end", end));
  }

  @Test
  void an_empty_week_is_one_slot() {
    assertThat(FreeSlots.of(List.of(), 3600)).containsExactly(new WeekWindow(0, 604_800));
  }

  @Test
  void the_gap_over_the_week_end_is_one_slot() {
    List<WeekWindow> slots =
        FreeSlots.of(List.of(of("Mon 02:00", "Fri 18:00"), of("Sat 08:00", "Sun 20:00")), 3600);

    assertThat(slots).containsExactly(of("Fri 18:00", "Sat 08:00"), of("Sun 20:00", "Mon 02:00"));
  }

  @Test
  void slots_shorter_than_the_minimum_and_touching_windows_leave_nothing() {
    List<WeekWindow> slots =
        FreeSlots.of(
            List.of(
                of("Sat 22:00", "Mon 06:00"),
                of("Mon 06:00", "Wed 00:00"),
                of("Wed 00:30", "Sat 22:00")),
            1800);

    assertThat(slots).containsExactly(of("Wed 00:00", "Wed 00:30"));
    assertThat(
            FreeSlots.of(
                List.of(
                    of("Sat 22:00", "Mon 06:00"),
                    of("Mon 06:00", "Wed 00:00"),
                    of("Wed 00:30", "Sat 22:00")),
                1801))
        .isEmpty();
  }

  @Test
  void the_whole_week_taken_leaves_no_slot() {
    assertThat(FreeSlots.of(List.of(new WeekWindow(0, 604_800)), 1)).isEmpty();
  }

  @Test
  void gaps_between_instants_ignore_what_lies_outside_and_overlapping_input() {
    Instant start = Instant.parse("2030-01-07T00:00:00Z");
    Instant end = start.plusSeconds(100);
    List<Instant[]> taken =
        List.of(
            new Instant[] {start.minusSeconds(50), start.plusSeconds(10)},
            new Instant[] {start.plusSeconds(40), start.plusSeconds(60)},
            new Instant[] {start.plusSeconds(50), start.plusSeconds(70)},
            new Instant[] {end.plusSeconds(5), end.plusSeconds(10)});

    List<Instant[]> gaps = FreeSlots.between(taken, start, end, 10);

    assertThat(gaps).hasSize(2);
    assertThat(gaps.get(0)).containsExactly(start.plusSeconds(10), start.plusSeconds(40));
    assertThat(gaps.get(1)).containsExactly(start.plusSeconds(70), end);
    assertThat(FreeSlots.between(taken, start, end, 31)).isEmpty();
  }
}
