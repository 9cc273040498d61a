package dev.rota.scheduling.internal.domain;

import static dev.rota.scheduling.internal.domain.WeekTime.WEEK;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import java.util.List;

/**
 * A weekly window [start, end) in seconds of the week. {@code start > end} wraps around the end of
 * the week (Saturday 22:00 to Monday 06:00); [0, {@value WeekTime#WEEK}) is the whole week; an end
 * of 0 means the end of the week. This is what the database stores and compares; see
 * V3__scheduling.sql.
 */
public record WeekWindow(int start, int end) {

  public WeekWindow {
    if (start < 0 || start >= WEEK || end <= 0 || end > WEEK || start == end) {
      throw new IllegalArgumentException("not a weekly window: [" + start + ", " + end + ")");
    }
  }

  /** The window from {@code start} to {@code end} as a client wrote them; refuses a zero length. */
  public static WeekWindow of(WeekTime start, WeekTime end) {
    if (start.second() == WEEK) {
      throw new InvalidSchedulingRequest(
          "start: the week's end (" + WEEK + ") cannot start a window; write Mon 00:00 or 0.");
    }
    if (start.second() == end.second()) {
      throw new InvalidSchedulingRequest(
          "The window starts and ends at "
              + start.format()
              + ": it would be empty. For the whole week write start 0 and end 604800.");
    }
    return new WeekWindow(start.second(), end.second() == 0 ? WEEK : end.second());
  }

  public boolean wraps() {
    return start > end;
  }

  /** Its length in seconds. */
  public int seconds() {
    return wraps() ? WEEK - start + end : end - start;
  }

  /** The pieces [from, to) of the week it covers, one or two, in order of the week. */
  public List<int[]> pieces() {
    return wraps()
        ? List.of(new int[] {0, end}, new int[] {start, WEEK})
        : List.of(new int[] {start, end});
  }

  public boolean overlaps(WeekWindow other) {
    for (int[] a : pieces()) {
      for (int[] b : other.pieces()) {
        if (a[0] < b[1] && b[0] < a[1]) {
          return true;
        }
      }
    }
    return false;
  }
}
