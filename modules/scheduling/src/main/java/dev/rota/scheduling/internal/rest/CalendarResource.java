package dev.rota.scheduling.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.platform.Problem;
import dev.rota.scheduling.internal.application.CalendarService;
import dev.rota.scheduling.internal.application.CalendarViewService;
import dev.rota.scheduling.internal.application.CalendarViewService.Occurrences;
import dev.rota.scheduling.internal.application.CalendarViewService.Status;
import dev.rota.scheduling.internal.application.CalendarViewService.WeekSlots;
import dev.rota.scheduling.internal.application.CalendarViewService.WeeklySlots;
import dev.rota.scheduling.internal.domain.CalendarKind;
import dev.rota.scheduling.internal.domain.TimeInput;
import dev.rota.scheduling.internal.domain.WeekTime;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.scheduling.internal.rest.SchedulingViews.AvailabilityView;
import dev.rota.scheduling.internal.rest.SchedulingViews.CalendarView;
import dev.rota.scheduling.internal.rest.SchedulingViews.FreeSlotView;
import dev.rota.scheduling.internal.rest.SchedulingViews.FreeSlotsView;
import dev.rota.scheduling.internal.rest.SchedulingViews.OccurrenceView;
import dev.rota.scheduling.internal.rest.SchedulingViews.OccurrencesView;
import dev.rota.scheduling.internal.rest.SchedulingViews.WindowView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.ZoneId;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Calendars of GPU pools and nodes, and what holds them when. */
@Path("calendars")
@RequestScoped
@Tag(name = "Scheduling")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CalendarResource {

  @Inject CalendarService calendars;
  @Inject CalendarViewService views;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "createCalendar",
      summary = "Create the calendar of a node pool or a node (platform administrators)",
      description =
          "A pool or node has at most one calendar; its windows are read on the calendar's wall"
              + " clock (timeZone), so a weekly window follows daylight saving time.")
  @APIResponse(
      responseCode = "201",
      description = "The calendar; Location names it",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CalendarView.class)))
  @Extension(name = "x-rota-problems", value = "403 409")
  @Extension(name = "x-rota-problem-403", value = "The caller is no platform administrator")
  @Extension(name = "x-rota-problem-409", value = "The pool or node already has a calendar")
  public Response create(
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = SchedulingRequests.CreateCalendar.class),
                      examples =
                          @ExampleObject(
                              name = "pool",
                              summary = "The calendar of pool-a, on Berlin time",
                              value =
                                  "{\"kind\": \"pool\", \"name\": \"pool-a\","
                                      + " \"timeZone\": \"Europe/Berlin\"}")))
          @Valid
          @NotNull
          SchedulingRequests.CreateCalendar request) {
    CalendarRow calendar =
        calendars.create(
            caller, CalendarKind.fromSql(request.kind()), request.name(), request.timeZone());
    return Response.created(
            uri.getAbsolutePathBuilder().path(String.valueOf(calendar.id())).build())
        .entity(CalendarView.of(calendar))
        .build();
  }

  @GET
  @Operation(
      operationId = "listCalendars",
      summary = "List calendars, optionally of one kind and name",
      description =
          "Every calendar in id order, a page at a time; kind and name narrow the list (both"
              + " together find the calendar of one pool or node). Every signed-in user may read"
              + " them.")
  @APIResponse(responseCode = "200", description = "One page of calendars")
  public Page<CalendarView> list(
      @Parameter(schema = @Schema(enumeration = {"pool", "node"}))
          @QueryParam("kind")
          @Pattern(regexp = "pool|node", message = "must be pool or node")
          String kind,
      @Parameter(description = "The pool's or node's name")
          @QueryParam("name")
          @Size(max = 253)
          @Pattern(
              regexp = SchedulingRequests.CALENDAR_NAME,
              message = "must be a pool or node name: letters, digits, '-', '_' and '.'")
          String name,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        calendars.page(
            kind == null ? null : CalendarKind.fromSql(kind), name, Cursors.afterId(cursor), limit),
        limit,
        c -> String.valueOf(c.id()),
        CalendarView::of);
  }

  @GET
  @Path("{id}")
  @Operation(
      operationId = "getCalendar",
      summary = "Get a calendar",
      description = "The calendar's kind, name and time zone.")
  @APIResponse(responseCode = "200", description = "The calendar")
  @Extension(name = "x-rota-problems", value = "404")
  public CalendarView get(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return CalendarView.of(calendars.get(id));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteCalendar",
      summary = "Delete a calendar and all its windows (platform administrators)",
      description = "Every reservation and maintenance window of the calendar goes with it.")
  @APIResponse(responseCode = "204", description = "Deleted")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(name = "x-rota-problem-403", value = "The caller is no platform administrator")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response delete(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    calendars.delete(caller, id);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/availability")
  @Operation(
      operationId = "getCalendarAvailability",
      summary = "Get whether a calendar is free at an instant",
      description =
          "Free, reserved or in maintenance at the instant (default now), with the window that"
              + " holds it; a reservation's holder and label are shown only to callers with a role"
              + " at the holding node.")
  @APIResponse(responseCode = "200", description = "Who holds the calendar then")
  @Extension(name = "x-rota-problems", value = "404")
  public AvailabilityView availability(
      @PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id,
      @Parameter(
              description = "An instant with offset, 1970 to 9999; default now",
              example = "2026-12-01T08:00:00Z")
          @QueryParam("at")
          @Size(max = SchedulingRequests.TIME_MAX)
          String at) {
    Status status = views.at(caller, id, at == null ? null : TimeInput.instant("at", at));
    ZoneId zone = status.calendar().zone();
    Optional<WindowRow> window = status.holding().window();
    String state =
        window
            .map(w -> w.kind() == WindowKind.MAINTENANCE ? "maintenance" : "reserved")
            .orElse("free");
    return new AvailabilityView(
        id,
        zone.getId(),
        SchedulingViews.local(status.at(), zone),
        new WeekTime(status.holding().weekSecond()).format(),
        status.holding().weekSecond(),
        state,
        window.map(WindowView::of).orElse(null));
  }

  @GET
  @Path("{id}/occurrences")
  @Operation(
      operationId = "listCalendarOccurrences",
      summary = "List the occurrences of a calendar's windows in a span",
      description =
          "Every occurrence of the calendar's weekly and one-off windows between from and to"
              + " (instants, or dates meaning their first moment on the calendar's clock; at most"
              + " 92 days apart), at most 5000 of them, on the calendar's clock.")
  @APIResponse(responseCode = "200", description = "The occurrences in time order")
  @Extension(name = "x-rota-problems", value = "404")
  public OccurrencesView occurrences(
      @PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id,
      @Parameter(description = "An instant or a date", example = "2027-03-01")
          @QueryParam("from")
          @NotNull
          @Size(max = SchedulingRequests.TIME_MAX)
          String from,
      @Parameter(description = "An instant or a date, after from", example = "2027-03-15")
          @QueryParam("to")
          @NotNull
          @Size(max = SchedulingRequests.TIME_MAX)
          String to) {
    ZoneId zone = calendars.get(id).zone();
    Occurrences found =
        views.occurrences(
            caller,
            id,
            TimeInput.instantOrDate("from", from, zone),
            TimeInput.instantOrDate("to", to, zone));
    return new OccurrencesView(
        id,
        zone.getId(),
        SchedulingViews.local(TimeInput.instantOrDate("from", from, zone), zone),
        SchedulingViews.local(TimeInput.instantOrDate("to", to, zone), zone),
        found.items().stream().map(o -> OccurrenceView.of(o, zone)).toList(),
        found.truncated());
  }

  @GET
  @Path("{id}/free-slots")
  @Operation(
      operationId = "listCalendarFreeSlots",
      summary =
          "Free slots of at least min (seconds or ISO-8601 such as PT2H) in the weekly pattern, or"
              + " in the calendar week containing the date week, one-off windows included",
      description =
          "Without week: the free slots of the weekly pattern. With week: those of the calendar"
              + " week (Monday to Monday on the calendar's clock) containing that date, one-off"
              + " windows included.")
  @APIResponse(responseCode = "200", description = "The free slots in time order")
  @Extension(name = "x-rota-problems", value = "404")
  public FreeSlotsView freeSlots(
      @PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id,
      @Parameter(
              description = "Shortest slot: seconds (1 to 604800) or an ISO-8601 duration",
              example = "PT2H")
          @QueryParam("min")
          @NotNull
          @Size(max = SchedulingRequests.TIME_MAX)
          String min,
      @Parameter(description = "A date of the week to look at", example = "2026-12-01")
          @QueryParam("week")
          @Size(max = SchedulingRequests.TIME_MAX)
          String week) {
    int minSeconds = TimeInput.weekLength("min", min);
    if (week == null) {
      WeeklySlots slots = views.weeklySlots(id, minSeconds);
      return new FreeSlotsView(
          id,
          slots.calendar().timeZone(),
          minSeconds,
          null,
          slots.slots().stream().map(FreeSlotView::of).toList());
    }
    WeekSlots slots = views.weekSlots(id, TimeInput.date("week", week), minSeconds);
    ZoneId zone = slots.calendar().zone();
    return new FreeSlotsView(
        id,
        zone.getId(),
        minSeconds,
        slots.monday(),
        slots.slots().stream().map(s -> FreeSlotView.of(s, zone)).toList());
  }
}
