package dev.rota.scheduling.internal.persistence;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;

/**
 * A model of one calendar that knows nothing of covers or effective ranges: it lists every
 * occurrence of every window as instants (epoch seconds) up to a horizon, and calls two windows in
 * conflict when two of their occurrences share an instant. Weekly occurrences are worked out with
 * java.time's transitions of the zone: between two transitions the clock runs evenly at one offset,
 * so the clock shows the window's seconds of the week on stretches that map back by that offset.
 */
final class OccurrenceModel {

  static final int WEEK = 604_800;

  /** Local epoch seconds of Monday 1970-01-05 00:00, the first Monday of the local epoch. */
  private static final long FIRST_MONDAY = 4 * 86_400L;

  private final ZoneRules rules;
  private final long horizon;
  private final List<Window> held = new ArrayList<>();

  OccurrenceModel(ZoneId zone, Instant horizon) {
    this.rules = zone.getRules();
    this.horizon = horizon.getEpochSecond();
  }

  /** A window the model holds: its database id and occurrences in order, as [start, end) pairs. */
  record Window(long id, long[] occurrences, String what) {}

  /** The occurrences of a weekly window [start, end) in effect from {@code from}. */
  Window weekly(int start, int end, Instant from) {
    List<long[]> pieces = new ArrayList<>();
    if (start < end) {
      pieces.add(new long[] {start, end});
    } else { // in order within each week, so that the occurrences come out in order
      pieces.add(new long[] {0, end});
      pieces.add(new long[] {start, WEEK});
    }
    List<Long> found = new ArrayList<>();
    long cursor = from.getEpochSecond();
    while (cursor < horizon) {
      ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochSecond(cursor));
      long stretchEnd =
          next == null ? horizon : Math.min(horizon, next.getInstant().getEpochSecond());
      long offset = rules.getOffset(Instant.ofEpochSecond(cursor)).getTotalSeconds();
      long localFrom = cursor + offset;
      long localTo = stretchEnd + offset;
      long week = Math.floorDiv(localFrom - FIRST_MONDAY, WEEK);
      for (long monday = FIRST_MONDAY + week * WEEK; monday < localTo; monday += WEEK) {
        for (long[] piece : pieces) {
          long s = Math.max(monday + piece[0], localFrom);
          long e = Math.min(monday + piece[1], localTo);
          if (s < e) {
            found.add(s - offset);
            found.add(e - offset);
          }
        }
      }
      cursor = stretchEnd;
    }
    return new Window(
        0,
        found.stream().mapToLong(Long::longValue).toArray(),
        "weekly [" + start + ", " + end + ") from " + from);
  }

  /** The one occurrence of a one-off window. */
  static Window once(Instant from, Instant to) {
    return new Window(
        0,
        new long[] {from.getEpochSecond(), to.getEpochSecond()},
        "one-off [" + from + ", " + to + ")");
  }

  /** The held window that shares an instant with {@code offer}, if any. */
  Window conflict(Window offer) {
    for (Window window : held) {
      if (overlap(window.occurrences(), offer.occurrences())) {
        return window;
      }
    }
    return null;
  }

  void hold(Window window, long id) {
    held.add(new Window(id, window.occurrences(), window.what()));
  }

  List<Window> held() {
    return held;
  }

  Window release(int index) {
    return held.remove(index);
  }

  /** Whether two ordered lists of [start, end) pairs share an instant: one merge pass. */
  private static boolean overlap(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j + 1] && b[j] < a[i + 1]) {
        return true;
      }
      if (a[i + 1] <= b[j + 1]) {
        i += 2;
      } else {
        j += 2;
      }
    }
    return false;
  }
}
