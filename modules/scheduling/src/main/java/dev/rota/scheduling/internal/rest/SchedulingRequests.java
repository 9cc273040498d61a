package dev.rota.scheduling.internal.rest;

import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import dev.rota.scheduling.internal.domain.TimeInput;
import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.domain.WindowSpec;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request bodies of the calendar and window endpoints. */
public final class SchedulingRequests {

  private SchedulingRequests() {}

  /** The longest instant, date, weekday time or length the endpoints read. */
  static final int TIME_MAX = 40;

  /** A calendar's name, as the database's CHECK on calendars has it. */
  static final String CALENDAR_NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?";

  static final String WEEKLY_EXAMPLE =
      """
      {"kind": "reservation", "ownerNodeId": 42, "label": "nightly training",
       "start": "Tue 22:00", "end": "Wed 06:00"}
      """;

  static final String ONCE_EXAMPLE =
      """
      {"kind": "maintenance", "label": "driver upgrade",
       "from": "2026-12-01T08:00:00Z", "to": "2026-12-01T12:00:00Z"}
      """;

  static final String VIEW_EXAMPLE =
      """
      {"id": 17, "calendarId": 3, "type": "weekly", "kind": "reservation", "ownerNodeId": 42,
       "label": "nightly training", "start": "Tue 22:00", "end": "Wed 06:00",
       "startSecond": 165600, "endSecond": 194400, "wraps": false,
       "from": "2026-11-29T10:15:30Z", "createdAt": "2026-11-29T10:15:30Z"}
      """;

  /** A new calendar for a node pool or a single node. */
  public record CreateCalendar(
      @Schema(enumeration = {"pool", "node"})
          @NotNull
          @Pattern(regexp = "pool|node", message = "must be pool or node")
          String kind,
      @Schema(description = "The pool's label value (pool-a) or the node's name (gpu-node-01)")
          @NotBlank
          @Size(max = 253)
          @Pattern(
              regexp = CALENDAR_NAME,
              message = "must be a pool or node name: letters, digits, '-', '_' and '.'")
          String name,
      @Schema(
              description = "IANA time zone id of the calendar's wall clock",
              example = "Europe/Berlin")
          @NotBlank
          @Size(max = 100)
          String timeZone) {}

  /**
   * A window to book: weekly with {@code start} and {@code end} (and optionally {@code
   * effectiveFrom}), or one-off with {@code from} and {@code to}.
   */
  @Schema(
      description =
          "Weekly: start and end as weekday times ('Tue 22:00', 'monday 06:00:30') or seconds"
              + " from Monday 00:00 on the calendar's clock; start after end wraps around the"
              + " week's end; 0 to 604800 is the whole week. One-off: from and to as instants.")
  public record CreateWindow(
      @Schema(enumeration = {"reservation", "maintenance"})
          @NotNull
          @Pattern(
              regexp = "reservation|maintenance",
              message = "must be reservation or maintenance")
          String kind,
      @Schema(description = "The tenancy node holding a reservation; optional for maintenance")
          @Min(1)
          @Max(Long.MAX_VALUE)
          Long ownerNodeId,
      @Schema(description = "Shown to callers with a role at the holding node")
          @Size(min = 1, max = 200)
          String label,
      @Schema(description = "A weekly window's start", example = "Tue 22:00") @Size(max = TIME_MAX)
          String start,
      @Schema(description = "A weekly window's end", example = "Wed 06:00") @Size(max = TIME_MAX)
          String end,
      @Schema(description = "A weekly window's first instant in effect; default now")
          @Size(max = TIME_MAX)
          String effectiveFrom,
      @Schema(
              description = "A one-off window's first instant, with offset",
              example = "2026-12-01T08:00:00Z")
          @Size(max = TIME_MAX)
          String from,
      @Schema(
              description = "A one-off window's end, with offset; at most a year after from",
              example = "2026-12-01T12:00:00Z")
          @Size(max = TIME_MAX)
          String to) {

    WindowSpec toSpec() {
      WindowKind windowKind = WindowKind.fromSql(kind);
      String text = label == null || label.isBlank() ? null : label.strip();
      boolean weekly = start != null || end != null;
      if (weekly) {
        if (start == null || end == null) {
          throw new InvalidSchedulingRequest("A weekly window needs both start and end.");
        }
        if (from != null || to != null) {
          throw new InvalidSchedulingRequest(
              "Give start and end for a weekly window, or from and to for a one-off window, not"
                  + " both.");
        }
        WeekWindow window =
            WeekWindow.of(WeekTime.parse("start", start), WeekTime.parse("end", end));
        Instant since =
            effectiveFrom == null ? null : TimeInput.instant("effectiveFrom", effectiveFrom);
        return WindowSpec.weekly(windowKind, ownerNodeId, text, window, since);
      }
      if (from == null || to == null) {
        throw new InvalidSchedulingRequest(
            "Give start and end for a weekly window, or from and to for a one-off window.");
      }
      if (effectiveFrom != null) {
        throw new InvalidSchedulingRequest("effectiveFrom is for weekly windows only.");
      }
      return WindowSpec.once(
          windowKind,
          ownerNodeId,
          text,
          TimeInput.instant("from", from),
          TimeInput.instant("to", to));
    }
  }
}
