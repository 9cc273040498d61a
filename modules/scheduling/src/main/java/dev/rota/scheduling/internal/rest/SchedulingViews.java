package dev.rota.scheduling.internal.rest;

import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.scheduling.internal.persistence.OccupancyRepository.Occurrence;
import dev.rota.scheduling.internal.persistence.WindowRow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What the calendar endpoints answer. */
public final class SchedulingViews {

  private SchedulingViews() {}

  public record CalendarView(
      long id, String kind, String name, String timeZone, OffsetDateTime createdAt) {
    static CalendarView of(CalendarRow row) {
      return new CalendarView(
          row.id(), row.kind().sqlName(), row.name(), row.timeZone(), row.createdAt());
    }
  }

  /**
   * A window. Weekly: {@code start}/{@code end} as weekday times and seconds of the week, in effect
   * from {@code from}; one-off: {@code from} and {@code to}.
   */
  @Schema(name = "Window")
  public record WindowView(
      long id,
      long calendarId,
      @Schema(enumeration = {"weekly", "one-off"}) String type,
      @Schema(enumeration = {"reservation", "maintenance"}) String kind,
      Long ownerNodeId,
      String label,
      String start,
      String end,
      Integer startSecond,
      Integer endSecond,
      Boolean wraps,
      Instant from,
      Instant to,
      OffsetDateTime createdAt) {

    static WindowView of(WindowRow row) {
      WeekWindow week = row.weekly() ? row.weekWindow() : null;
      return new WindowView(
          row.id(),
          row.calendarId(),
          row.weekly() ? "weekly" : "one-off",
          row.kind().sqlName(),
          row.ownerNodeId(),
          row.label(),
          week == null ? null : new WeekTime(week.start()).format(),
          week == null ? null : new WeekTime(week.end()).format(),
          row.startSecond(),
          row.endSecond(),
          week == null ? null : week.wraps(),
          row.from(),
          row.to(),
          row.createdAt());
    }
  }

  /** One occurrence of a window, on the calendar's clock. */
  public record OccurrenceView(
      long windowId,
      String type,
      String kind,
      Long ownerNodeId,
      String label,
      OffsetDateTime start,
      OffsetDateTime end) {
    static OccurrenceView of(Occurrence o, ZoneId zone) {
      WindowRow w = o.window();
      return new OccurrenceView(
          w.id(),
          w.weekly() ? "weekly" : "one-off",
          w.kind().sqlName(),
          w.ownerNodeId(),
          w.label(),
          local(o.start(), zone),
          local(o.end(), zone));
    }
  }

  public record OccurrencesView(
      long calendarId,
      String timeZone,
      OffsetDateTime from,
      OffsetDateTime to,
      List<OccurrenceView> items,
      @Schema(description = "Whether more occurrences than the 5000 shown fall in the span")
          boolean truncated) {}

  /**
   * A free slot: of the weekly pattern ({@code start}/{@code end} and their seconds) or of one
   * calendar week ({@code from}/{@code to}).
   */
  public record FreeSlotView(
      String start,
      String end,
      Integer startSecond,
      Integer endSecond,
      OffsetDateTime from,
      OffsetDateTime to,
      long seconds) {
    static FreeSlotView of(WeekWindow slot) {
      return new FreeSlotView(
          new WeekTime(slot.start()).format(),
          new WeekTime(slot.end()).format(),
          slot.start(),
          slot.end(),
          null,
          null,
          slot.seconds());
    }

    static FreeSlotView of(Instant[] slot, ZoneId zone) {
      return new FreeSlotView(
          null,
          null,
          null,
          null,
          local(slot[0], zone),
          local(slot[1], zone),
          slot[1].getEpochSecond() - slot[0].getEpochSecond());
    }
  }

  public record FreeSlotsView(
      long calendarId,
      String timeZone,
      long minSeconds,
      @Schema(
              description =
                  "The Monday of the calendar week asked for; absent for the weekly pattern")
          LocalDate week,
      List<FreeSlotView> slots) {}

  /** Who holds a calendar at an instant. */
  public record AvailabilityView(
      long calendarId,
      String timeZone,
      OffsetDateTime at,
      @Schema(description = "The weekday time the calendar's clock shows", example = "Sun 03:30")
          String weekTime,
      int weekSecond,
      @Schema(enumeration = {"free", "reserved", "maintenance"}) String state,
      WindowView window) {}

  static OffsetDateTime local(Instant instant, ZoneId zone) {
    return instant.atZone(zone).toOffsetDateTime();
  }
}
