package dev.rota.scheduling.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.scheduling.SchedulingException.CalendarNotFound;
import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import dev.rota.scheduling.internal.domain.FreeSlots;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.persistence.CalendarRepository;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.scheduling.internal.persistence.OccupancyRepository;
import dev.rota.scheduling.internal.persistence.OccupancyRepository.Holding;
import dev.rota.scheduling.internal.persistence.OccupancyRepository.Occurrence;
import dev.rota.scheduling.internal.persistence.WindowRepository;
import dev.rota.tenancy.Authorization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

/**
 * Reading a calendar as a calendar view does: who holds it when, and what is free. Any caller may
 * read any calendar; the holders and labels of windows follow {@link WindowPrivacy}.
 */
@ApplicationScoped
public class CalendarViewService {

  /** The longest span of one occurrences request. */
  public static final Duration LONGEST_SPAN = Duration.ofDays(92);

  /** The most occurrences one request returns. */
  public static final int MOST_OCCURRENCES = 5000;

  private static final Duration EXPANDED = Duration.ofDays(7);

  private final CalendarRepository calendars = new CalendarRepository();
  private final WindowRepository windows = new WindowRepository();
  private final OccupancyRepository occupancy = new OccupancyRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  Clock clock = Clock.systemUTC();

  public CalendarViewService() {}

  /** For tests and tools outside the container. */
  public CalendarViewService(Transactions transactions, Authorization authorization, Clock clock) {
    this.transactions = transactions;
    this.authorization = authorization;
    this.clock = clock;
  }

  /** The calendar and what holds it at {@code at} (now when null). */
  public Status at(Caller caller, long calendarId, Instant at) {
    Instant when = at == null ? clock.instant() : at;
    return transactions.read(
        c -> {
          CalendarRow calendar = calendar(c, calendarId);
          Holding holding = occupancy.at(c, calendarId, when).orElseThrow();
          WindowPrivacy privacy = new WindowPrivacy(authorization, c, caller);
          return new Status(
              calendar,
              when,
              new Holding(holding.weekSecond(), holding.window().map(privacy::shown)));
        });
  }

  /**
   * The occurrences overlapping [from, to), whole, except that a window that never ends on its own
   * (a whole-week weekly window) is cut at {@code from} and {@code to}.
   */
  public Occurrences occurrences(Caller caller, long calendarId, Instant from, Instant to) {
    if (!from.isBefore(to) || Duration.between(from, to).compareTo(LONGEST_SPAN) > 0) {
      throw new InvalidSchedulingRequest(
          "from must be before to, at most 92 days apart (from " + from + ", to " + to + ").");
    }
    return transactions.read(
        c -> {
          CalendarRow calendar = calendar(c, calendarId);
          List<Occurrence> found =
              occupancy.occurrences(c, calendarId, from, to, MOST_OCCURRENCES + 1);
          boolean truncated = found.size() > MOST_OCCURRENCES;
          WindowPrivacy privacy = new WindowPrivacy(authorization, c, caller);
          List<Occurrence> shown =
              (truncated ? found.subList(0, MOST_OCCURRENCES) : found)
                  .stream()
                      .map(o -> cutEndless(o, from, to))
                      .map(o -> new Occurrence(privacy.shown(o.window()), o.start(), o.end()))
                      .toList();
          return new Occurrences(calendar, shown, truncated);
        });
  }

  /** Gaps of at least {@code minSeconds} in the weekly pattern, one-off windows aside. */
  public WeeklySlots weeklySlots(long calendarId, int minSeconds) {
    return transactions.read(
        c -> {
          CalendarRow calendar = calendar(c, calendarId);
          return new WeeklySlots(calendar, FreeSlots.of(windows.weekly(c, calendarId), minSeconds));
        });
  }

  /**
   * Gaps of at least {@code minSeconds} in the calendar week (Monday 00:00 to Monday 00:00 on its
   * clock) that contains {@code day}, one-off windows and daylight-saving changes included.
   */
  public WeekSlots weekSlots(long calendarId, LocalDate day, int minSeconds) {
    return transactions.read(
        c -> {
          CalendarRow calendar = calendar(c, calendarId);
          LocalDate monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
          Instant start = monday.atStartOfDay(calendar.zone()).toInstant();
          Instant end = monday.plusWeeks(1).atStartOfDay(calendar.zone()).toInstant();
          List<Instant[]> taken =
              occupancy.occurrences(c, calendarId, start, end, Integer.MAX_VALUE).stream()
                  .map(o -> new Instant[] {o.start(), o.end()})
                  .toList();
          return new WeekSlots(
              calendar, monday, start, end, FreeSlots.between(taken, start, end, minSeconds));
        });
  }

  private static Occurrence cutEndless(Occurrence o, Instant from, Instant to) {
    Instant start = o.start().isAfter(from.minus(EXPANDED)) ? o.start() : from;
    Instant end = o.end().isBefore(to.plus(EXPANDED)) ? o.end() : to;
    return new Occurrence(o.window(), start, end);
  }

  private CalendarRow calendar(Connection c, long id) throws SQLException {
    return calendars.find(c, id).orElseThrow(() -> new CalendarNotFound(String.valueOf(id)));
  }

  /** What holds a calendar at an instant. */
  public record Status(CalendarRow calendar, Instant at, Holding holding) {}

  /** Occurrences of a calendar's windows; {@code truncated} when there were more. */
  public record Occurrences(CalendarRow calendar, List<Occurrence> items, boolean truncated) {}

  /** Free slots of the weekly pattern. */
  public record WeeklySlots(CalendarRow calendar, List<WeekWindow> slots) {}

  /** Free slots of one calendar week, as instants. */
  public record WeekSlots(
      CalendarRow calendar, LocalDate monday, Instant start, Instant end, List<Instant[]> slots) {}
}
