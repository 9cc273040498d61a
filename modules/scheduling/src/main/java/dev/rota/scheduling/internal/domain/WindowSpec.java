package dev.rota.scheduling.internal.domain;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import java.time.Duration;
import java.time.Instant;

/**
 * A window to book: weekly ({@code weekly} set, in effect from {@code from} or from now when it is
 * null) or one-off ({@code from} to {@code to}).
 */
public record WindowSpec(
    WindowKind kind, Long ownerNodeId, String label, WeekWindow weekly, Instant from, Instant to) {

  /** The longest one-off window; longer bookings are weekly windows. */
  public static final Duration LONGEST_ONE_OFF = Duration.ofDays(366);

  public static WindowSpec weekly(
      WindowKind kind, Long ownerNodeId, String label, WeekWindow window, Instant effectiveFrom) {
    return new WindowSpec(kind, ownerNodeId, label, window, effectiveFrom, null);
  }

  public static WindowSpec once(
      WindowKind kind, Long ownerNodeId, String label, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new InvalidSchedulingRequest(
          "The window from " + from + " to " + to + " is empty or ends before it starts.");
    }
    if (Duration.between(from, to).compareTo(LONGEST_ONE_OFF) > 0) {
      throw new InvalidSchedulingRequest(
          "A one-off window lasts at most 366 days; book a weekly window instead.");
    }
    return new WindowSpec(kind, ownerNodeId, label, null, from, to);
  }

  public boolean isWeekly() {
    return weekly != null;
  }
}
