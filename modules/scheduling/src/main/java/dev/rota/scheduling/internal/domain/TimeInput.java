package dev.rota.scheduling.internal.domain;

import dev.rota.scheduling.SchedulingException.InstantOutOfRange;
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
 * whole seconds, since windows are kept to the second. Every instant and date lies within {@link
 * #EARLIEST} and {@link #LATEST} (the database's check windows_effective_in_range keeps stored
 * windows to the same range): PostgreSQL's own range ends in the year 294276 and the driver turns
 * years before 4713 BC into -infinity, so without a bound of our own such input reached a 500 or
 * was silently changed.
 */
public final class TimeInput {

  /** The first instant scheduling accepts. */
  public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

  /** The last instant scheduling accepts. */
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

  private TimeInput() {}

  public static Instant instant(String field, String text) {
    try {
      Instant instant = OffsetDateTime.parse(text.strip()).toInstant();
      if (instant.getNano() != 0) {
        throw new InvalidSchedulingRequest(
            field + ": '" + text + "' has a fraction of a second; windows are kept to the second.");
      }
      return inRange(field, text, instant);
    } catch (DateTimeParseException | ArithmeticException e) {
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
    if (value.indexOf('T') < 0 && value.indexOf('t') < 0) {
      // A date's first moment may lie a few hours outside [EARLIEST, LATEST] on the calendar's
      // clock; that is still far inside PostgreSQL's range, and reads only.
      return date(field, value).atStartOfDay(zone).toInstant();
    }
    return instant(field, value);
  }

  /** A date from 1970-01-01 to 9999-12-31. */
  public static LocalDate date(String field, String text) {
    LocalDate date;
    try {
      date = LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidSchedulingRequest(
          field + ": '" + text + "' is not a date; write it as 2026-03-23.");
    }
    if (date.getYear() < 1970 || date.getYear() > 9999) {
      throw outOfRange(field, text);
    }
    return date;
  }

  private static Instant inRange(String field, String text, Instant instant) {
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw outOfRange(field, text);
    }
    return instant;
  }

  private static InstantOutOfRange outOfRange(String field, String text) {
    return new InstantOutOfRange(field, text, EARLIEST.toString(), LATEST.toString());
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
