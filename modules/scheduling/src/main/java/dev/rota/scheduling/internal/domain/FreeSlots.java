package dev.rota.scheduling.internal.domain;

import static dev.rota.scheduling.internal.domain.WeekTime.WEEK;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The gaps a set of weekly windows leaves in the week, of at least a given length. A gap that runs
 * over the end of the week (Sunday 22:00 to Monday 02:00) is one gap, as it is on the clock.
 */
public final class FreeSlots {

  private FreeSlots() {}

  /** Gaps of at least {@code minSeconds}, in order of their start; the whole week if empty. */
  public static List<WeekWindow> of(List<WeekWindow> taken, int minSeconds) {
    List<int[]> pieces = new ArrayList<>();
    taken.forEach(w -> pieces.addAll(w.pieces()));
    pieces.sort(Comparator.comparingInt((int[] p) -> p[0]));
    List<int[]> gaps = new ArrayList<>();
    int cursor = 0;
    for (int[] piece : pieces) {
      if (piece[0] > cursor) {
        gaps.add(new int[] {cursor, piece[0]});
      }
      cursor = Math.max(cursor, piece[1]);
    }
    if (cursor < WEEK) {
      gaps.add(new int[] {cursor, WEEK});
    }
    if (gaps.size() > 1 && gaps.get(0)[0] == 0 && gaps.get(gaps.size() - 1)[1] == WEEK) {
      int[] head = gaps.remove(0);
      gaps.get(gaps.size() - 1)[1] = head[1]; // one gap over the week's end: [start, head end)
    }
    List<WeekWindow> slots = new ArrayList<>();
    for (int[] gap : gaps) {
      WeekWindow slot = new WeekWindow(gap[0], gap[1] == 0 ? WEEK : gap[1]);
      if (slot.seconds() >= minSeconds) {
        slots.add(slot);
      }
    }
    slots.sort(Comparator.comparingInt(WeekWindow::start));
    return slots;
  }

  /**
   * The gaps of at least {@code minSeconds} that the occurrences {@code taken} (each {start, end},
   * in any order, possibly reaching beyond the bounds) leave in [{@code start}, {@code end}).
   */
  public static List<Instant[]> between(
      List<Instant[]> taken, Instant start, Instant end, long minSeconds) {
    List<Instant[]> sorted = new ArrayList<>(taken);
    sorted.sort(Comparator.comparing((Instant[] t) -> t[0]));
    List<Instant[]> gaps = new ArrayList<>();
    Instant cursor = start;
    for (Instant[] occupied : sorted) {
      if (!occupied[0].isBefore(end)) {
        break;
      }
      if (occupied[0].isAfter(cursor)) {
        addGap(gaps, cursor, occupied[0], minSeconds);
      }
      if (occupied[1].isAfter(cursor)) {
        cursor = occupied[1];
      }
    }
    addGap(gaps, cursor, end, minSeconds);
    return gaps;
  }

  private static void addGap(List<Instant[]> gaps, Instant from, Instant to, long minSeconds) {
    if (from.isBefore(to) && Duration.between(from, to).getSeconds() >= minSeconds) {
      gaps.add(new Instant[] {from, to});
    }
  }
}
