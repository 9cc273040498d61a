package dev.rota.scheduling.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.platform.Problem;
import dev.rota.scheduling.internal.application.WindowService;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.scheduling.internal.rest.SchedulingViews.WindowView;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The windows of a calendar: reservations (admins of the owning node) and maintenance (platform
 * administrators). A window that overlaps another is refused with 409 naming that window.
 */
@Path("calendars/{calendarId}/windows")
@RequestScoped
@Tag(name = "Scheduling")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WindowResource {

  @Inject WindowService windows;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Operation(
      operationId = "bookWindow",
      summary =
          "Book a weekly window (start, end: 'Tue 22:00' or seconds of the week) or a one-off"
              + " window (from, to: instants); 409 names the window it overlaps",
      description =
          "A reservation is held by a tenancy node and booked by its administrators; a"
              + " maintenance window by platform administrators. Windows of one calendar never"
              + " share an instant: an overlap is refused with 409 naming the window"
              + " (conflictingWindowId). A one-off window lasts at most a year.")
  @APIResponse(
      responseCode = "201",
      description = "The window; Location names it",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = WindowView.class),
              examples = @ExampleObject(name = "weekly", value = SchedulingRequests.VIEW_EXAMPLE)))
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(
      name = "x-rota-problem-403",
      value =
          "Not an administrator of the holding node (reservation), or no platform"
              + " administrator (maintenance)")
  @Extension(
      name = "x-rota-problem-404",
      value = "No calendar with this id, or no holding node with this id that you can see")
  @Extension(
      name = "x-rota-problem-409",
      value = "The window overlaps another window of the calendar, named in conflictingWindowId")
  public Response book(
      @PathParam("calendarId") @Min(1) @Max(Long.MAX_VALUE) long calendarId,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = SchedulingRequests.CreateWindow.class),
                      examples = {
                        @ExampleObject(
                            name = "weekly",
                            summary = "Every Tuesday night for project 42",
                            value = SchedulingRequests.WEEKLY_EXAMPLE),
                        @ExampleObject(
                            name = "one-off",
                            summary = "A maintenance morning",
                            value = SchedulingRequests.ONCE_EXAMPLE)
                      }))
          @Valid
          @NotNull
          SchedulingRequests.CreateWindow request) {
    WindowRow window = windows.book(caller, calendarId, request.toSpec());
    return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(window.id())).build())
        .entity(WindowView.of(window))
        .build();
  }

  @GET
  @Operation(
      operationId = "listWindows",
      summary =
          "The calendar's windows in id order; the holder and label of a reservation only to"
              + " callers with a role at the holding node",
      description =
          "Every window of the calendar, weekly and one-off, in id order, a page at a time.")
  @APIResponse(responseCode = "200", description = "One page of windows")
  @Extension(name = "x-rota-problems", value = "404")
  public Page<WindowView> list(
      @PathParam("calendarId") @Min(1) @Max(Long.MAX_VALUE) long calendarId,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    return Page.of(
        windows.page(caller, calendarId, Cursors.afterId(cursor), limit),
        limit,
        w -> String.valueOf(w.id()),
        WindowView::of);
  }

  @GET
  @Path("{windowId}")
  @Operation(
      operationId = "getWindow",
      summary = "Get a window",
      description =
          "The window; its holder and label only to callers with a role at the holding node.")
  @APIResponse(responseCode = "200", description = "The window")
  @Extension(name = "x-rota-problems", value = "404")
  public WindowView get(
      @PathParam("calendarId") @Min(1) @Max(Long.MAX_VALUE) long calendarId,
      @PathParam("windowId") @Min(1) @Max(Long.MAX_VALUE) long windowId) {
    return WindowView.of(windows.get(caller, calendarId, windowId));
  }

  @DELETE
  @Path("{windowId}")
  @Operation(
      operationId = "cancelWindow",
      summary = "Cancel a window",
      description =
          "Removes the window: a reservation by administrators of its holding node, a maintenance"
              + " window by platform administrators, as for booking it.")
  @APIResponse(responseCode = "204", description = "Cancelled")
  @Extension(name = "x-rota-problems", value = "403 404")
  @Extension(
      name = "x-rota-problem-403",
      value = "Not allowed to cancel this window (as for booking it)")
  @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
  public Response cancel(
      @PathParam("calendarId") @Min(1) @Max(Long.MAX_VALUE) long calendarId,
      @PathParam("windowId") @Min(1) @Max(Long.MAX_VALUE) long windowId) {
    windows.cancel(caller, calendarId, windowId);
    return Response.noContent().build();
  }
}
