package dev.rota.scheduling.internal.domain;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Reads the instants, dates, durations and zones clients send, refusing with a 400 that says what
 * was expected. Instants carry an offset ({@code 2026-12-01T08:00:00Z} or {@code ...+01:00}) and
 * whole seconds, since windows are kept to the second.
 */
public final class TimeInput {

  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

  private TimeInput() {}

  public static Instant instant(String field, String text) {
    try {
      Instant instant = OffsetDateTime.parse(text.strip()).toInstant();
      if (instant.getNano() != 0) {
        throw new InvalidSchedulingRequest(
            field + ": '" + text + "' has a fraction of a second; windows are kept to the second.");
      }
      return instant;
    } catch (DateTimeParseException e) {
      throw new InvalidSchedulingRequest(
          field
              + ": '"
              + text
              + "' is not an instant; write it as 2026-12-01T08:00:00Z or"
              + " 2026-12-01T09:00:00+01:00.");
    }
  }

  /**
   * An instant, or a date ({@code 2026-03-23}) meaning its first moment on the calendar's clock.
   */
  public static Instant instantOrDate(String field, String text, ZoneId zone) {
    String value = text == null ? "" : text.strip();
    if (value.length() == 10) {
      try {
        return LocalDate.parse(value).atStartOfDay(zone).toInstant();
      } catch (DateTimeParseException e) {
        throw new InvalidSchedulingRequest(
            field + ": '" + text + "' is not a date; write it as 2026-03-23.");
      }
    }
    return instant(field, value);
  }

  public static LocalDate date(String field, String text) {
    try {
      return LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidSchedulingRequest(
          field + ": '" + text + "' is not a date; write it as 2026-03-23.");
    }
  }

  /** A length: ISO-8601 ({@code PT2H30M}) or seconds, more than 0 and at most a week. */
  public static int weekLength(String field, String text) {
    String value = text == null ? "" : text.strip();
    long seconds;
    if (SECONDS.matcher(value).matches()) {
      seconds = Long.parseLong(value);
    } else {
      try {
        seconds = Duration.parse(value).getSeconds();
      } catch (DateTimeParseException e) {
        throw new InvalidSchedulingRequest(
            field + ": '" + text + "' is not a length; write seconds (7200) or ISO-8601 (PT2H).");
      }
    }
    if (seconds <= 0 || seconds > WeekTime.WEEK) {
      throw new InvalidSchedulingRequest(
          field + ": '" + text + "' must be more than 0 and at most a week (604800 seconds).");
    }
    return (int) seconds;
  }

  /** An IANA zone id (Europe/Berlin); offsets and abbreviations are refused. */
  public static ZoneId zone(String text) {
    String value = text == null ? "" : text.strip();
    if (ZoneId.getAvailableZoneIds().contains(value)) {
      try {
        return ZoneId.of(value);
      } catch (DateTimeException e) {
        // falls through to the refusal
      }
    }
    throw new InvalidSchedulingRequest(
        "timeZone: '"
            + text
            + "' is not a time zone; give an IANA zone id such as Europe/Berlin"
            + " or UTC.");
  }
}
