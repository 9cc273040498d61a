package dev.rota.scheduling.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
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
      summary = "Create the calendar of a node pool or a node (platform administrators)")
  public Response create(@Valid @NotNull SchedulingRequests.CreateCalendar request) {
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
      summary = "Calendars in id order, optionally of one kind and name")
  public Page<CalendarView> list(
      @QueryParam("kind") @Pattern(regexp = "pool|node", message = "must be pool or node")
          String kind,
      @QueryParam("name") String name,
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
  @Operation(operationId = "getCalendar", summary = "A calendar by id")
  public CalendarView get(@PathParam("id") long id) {
    return CalendarView.of(calendars.get(id));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteCalendar",
      summary = "Delete a calendar and all its windows (platform administrators)")
  public Response delete(@PathParam("id") long id) {
    calendars.delete(caller, id);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/availability")
  @Operation(
      operationId = "getCalendarAvailability",
      summary =
          "Whether the calendar is free at an instant (default now), or which window holds it")
  public AvailabilityView availability(@PathParam("id") long id, @QueryParam("at") String at) {
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
      summary =
          "The occurrences of the calendar's windows between two instants or dates (at most 92"
              + " days)")
  public OccurrencesView occurrences(
      @PathParam("id") long id,
      @QueryParam("from") @NotNull String from,
      @QueryParam("to") @NotNull String to) {
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
              + " in the calendar week containing the date week, one-off windows included")
  public FreeSlotsView freeSlots(
      @PathParam("id") long id,
      @QueryParam("min") @NotNull String min,
      @QueryParam("week") String week) {
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
