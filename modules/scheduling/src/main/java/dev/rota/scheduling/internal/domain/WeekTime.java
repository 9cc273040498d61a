package dev.rota.scheduling.internal.domain;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import java.time.DayOfWeek;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second of the week on a calendar's wall clock: 0 is Monday 00:00, {@link #WEEK} the next Monday
 * 00:00. Written {@code Mon 22:00} (also {@code monday 22:00:30}, any case) or as the number of
 * seconds.
 */
public record WeekTime(int second) {

  /** Seconds in a week. */
  public static final int WEEK = 604_800;

  public static final int DAY = 86_400;

  private static final Pattern WEEKDAY_TIME =
      Pattern.compile("([A-Za-z]+)\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");

  private static final Pattern SECONDS = Pattern.compile("\\d{1,7}");

  private static final Map<String, DayOfWeek> DAYS =
      Map.ofEntries(
          Map.entry("mon", DayOfWeek.MONDAY),
          Map.entry("monday", DayOfWeek.MONDAY),
          Map.entry("tue", DayOfWeek.TUESDAY),
          Map.entry("tues", DayOfWeek.TUESDAY),
          Map.entry("tuesday", DayOfWeek.TUESDAY),
          Map.entry("wed", DayOfWeek.WEDNESDAY),
          Map.entry("wednesday", DayOfWeek.WEDNESDAY),
          Map.entry("thu", DayOfWeek.THURSDAY),
          Map.entry("thur", DayOfWeek.THURSDAY),
          Map.entry("thurs", DayOfWeek.THURSDAY),
          Map.entry("thursday", DayOfWeek.THURSDAY),
          Map.entry("fri", DayOfWeek.FRIDAY),
          Map.entry("friday", DayOfWeek.FRIDAY),
          Map.entry("sat", DayOfWeek.SATURDAY),
          Map.entry("saturday", DayOfWeek.SATURDAY),
          Map.entry("sun", DayOfWeek.SUNDAY),
          Map.entry("sunday", DayOfWeek.SUNDAY));

  public WeekTime {
    if (second < 0 || second > WEEK) {
      throw new IllegalArgumentException("not a second of the week: " + second);
    }
  }

  /**
   * Reads a time of the week; {@code field} names it in the error. {@code 24:00} is the end of that
   * day ({@code Sun 24:00} is {@value #WEEK}).
   */
  public static WeekTime parse(String field, String text) {
    String value = text == null ? "" : text.strip();
    if (SECONDS.matcher(value).matches()) {
      long seconds = Long.parseLong(value);
      if (seconds <= WEEK) {
        return new WeekTime((int) seconds);
      }
      throw invalid(
          field, text, "seconds run from 0 (Monday 00:00) to 604800 (the next Monday 00:00)");
    }
    Matcher m = WEEKDAY_TIME.matcher(value);
    if (!m.matches()) {
      throw invalid(
          field,
          text,
          "write a weekday and a time such as 'Mon 22:00', or seconds from Monday 00:00");
    }
    DayOfWeek day = DAYS.get(m.group(1).toLowerCase(Locale.ROOT));
    if (day == null) {
      throw invalid(field, text, "'" + m.group(1) + "' is not a weekday (Mon, Tue, ..., Sunday)");
    }
    int hours = Integer.parseInt(m.group(2));
    int minutes = Integer.parseInt(m.group(3));
    int seconds = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
    boolean endOfDay = hours == 24 && minutes == 0 && seconds == 0;
    if ((hours > 23 && !endOfDay) || minutes > 59 || seconds > 59) {
      throw invalid(
          field,
          text,
          "hours run from 00 to 23 (or 24:00 for the end of the day), minutes and seconds from 00"
              + " to 59");
    }
    return new WeekTime((day.getValue() - 1) * DAY + hours * 3600 + minutes * 60 + seconds);
  }

  /**
   * {@code Tue 22:00}, with seconds only when there are some; the week's end is {@code Mon 00:00}.
   */
  public String format() {
    int s = second % WEEK;
    DayOfWeek day = DayOfWeek.of(s / DAY + 1);
    int inDay = s % DAY;
    String time =
        String.format(Locale.ROOT, "%02d:%02d", inDay / 3600, inDay % 3600 / 60)
            + (inDay % 60 == 0 ? "" : String.format(Locale.ROOT, ":%02d", inDay % 60));
    return day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " " + time;
  }

  @Override
  public String toString() {
    return format();
  }

  private static InvalidSchedulingRequest invalid(String field, String text, String why) {
    return new InvalidSchedulingRequest(
        field + ": '" + text + "' is not a time of the week; " + why + ".");
  }
}
