package dev.rota.scheduling.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
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
              + " window (from, to: instants); 409 names the window it overlaps")
  public Response book(
      @PathParam("calendarId") long calendarId,
      @Valid @NotNull SchedulingRequests.CreateWindow request) {
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
              + " callers with a role at the holding node")
  public Page<WindowView> list(
      @PathParam("calendarId") long calendarId,
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
  @Operation(operationId = "getWindow", summary = "A window by id")
  public WindowView get(
      @PathParam("calendarId") long calendarId, @PathParam("windowId") long windowId) {
    return WindowView.of(windows.get(caller, calendarId, windowId));
  }

  @DELETE
  @Path("{windowId}")
  @Operation(operationId = "cancelWindow", summary = "Cancel a window (as for booking it)")
  public Response cancel(
      @PathParam("calendarId") long calendarId, @PathParam("windowId") long windowId) {
    windows.cancel(caller, calendarId, windowId);
    return Response.noContent().build();
  }
}
