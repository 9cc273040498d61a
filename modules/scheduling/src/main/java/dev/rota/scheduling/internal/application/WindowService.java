package dev.rota.scheduling.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.scheduling.SchedulingException.CalendarNotFound;
import dev.rota.scheduling.SchedulingException.InvalidSchedulingRequest;
import dev.rota.scheduling.SchedulingException.WindowConflict;
import dev.rota.scheduling.SchedulingException.WindowNotFound;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.domain.WindowSpec;
import dev.rota.scheduling.internal.persistence.CalendarRepository;
import dev.rota.scheduling.internal.persistence.WindowRepository;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Optional;
import org.postgresql.util.PSQLException;

/**
 * Booking, reading and removing windows. Reservations are booked by the administrators of the node
 * that holds them, maintenance by platform administrators; every caller reads every window, its
 * holder and label only as {@link WindowPrivacy} allows (also in the 409). Whether a window fits is
 * the database's call (the exclusion constraint windows_no_overlap); when it refuses, the same
 * transaction looks up the window it conflicts with, so the 409 can name it.
 */
@ApplicationScoped
public class WindowService {

  static final String EXCLUSION_VIOLATION = "23P01";

  private final CalendarRepository calendars = new CalendarRepository();
  private final WindowRepository windows = new WindowRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;

  public WindowService() {}

  /** For tests and tools outside the container. */
  public WindowService(Transactions transactions, Authorization authorization) {
    this.transactions = transactions;
    this.authorization = authorization;
  }

  public WindowRow book(Caller caller, long calendarId, WindowSpec spec) {
    return transactions.write(
        caller.name(),
        c -> {
          calendars
              .find(c, calendarId)
              .orElseThrow(() -> new CalendarNotFound(String.valueOf(calendarId)));
          authorize(c, caller, spec.kind(), spec.ownerNodeId(), "book");
          Savepoint beforeInsert = c.setSavepoint();
          try {
            WindowRow booked = insert(c, calendarId, spec);
            c.releaseSavepoint(beforeInsert);
            return booked;
          } catch (SQLException e) {
            if (!EXCLUSION_VIOLATION.equals(e.getSQLState())) {
              throw e;
            }
            c.rollback(beforeInsert);
            WindowPrivacy privacy = new WindowPrivacy(authorization, c, caller);
            Optional<WindowRow> other =
                windows
                    .firstConflict(c, calendarId, spec.weekly(), spec.from(), spec.to())
                    .map(privacy::shown);
            throw new WindowConflict(
                other.map(WindowRow::id).orElse(null),
                constraintOf(e),
                other.map(WindowRow::describe).orElse(null));
          }
        });
  }

  /** The window as the caller may see it (see {@link WindowPrivacy}). */
  public WindowRow get(Caller caller, long calendarId, long windowId) {
    return transactions.read(
        c -> new WindowPrivacy(authorization, c, caller).shown(existing(c, calendarId, windowId)));
  }

  /**
   * {@code limit + 1} windows of the calendar after the cursor, in id order, as the caller may see
   * them.
   */
  public List<WindowRow> page(Caller caller, long calendarId, Long afterId, int limit) {
    return transactions.read(
        c -> {
          calendars
              .find(c, calendarId)
              .orElseThrow(() -> new CalendarNotFound(String.valueOf(calendarId)));
          WindowPrivacy privacy = new WindowPrivacy(authorization, c, caller);
          return windows.page(c, calendarId, afterId, limit + 1).stream()
              .map(privacy::shown)
              .toList();
        });
  }

  public void cancel(Caller caller, long calendarId, long windowId) {
    transactions.write(
        caller.name(),
        c -> {
          WindowRow window = existing(c, calendarId, windowId);
          authorize(c, caller, window.kind(), window.ownerNodeId(), "cancel");
          windows.delete(c, calendarId, windowId);
          return null;
        });
  }

  private WindowRow insert(Connection c, long calendarId, WindowSpec spec) throws SQLException {
    return spec.isWeekly()
        ? windows.insertWeekly(
            c,
            calendarId,
            spec.kind(),
            spec.ownerNodeId(),
            spec.label(),
            spec.weekly(),
            spec.from())
        : windows.insertOnce(
            c, calendarId, spec.kind(), spec.ownerNodeId(), spec.label(), spec.from(), spec.to());
  }

  /** Reservations: admins of the owning node; maintenance: platform administrators. */
  private void authorize(
      Connection c, Caller caller, WindowKind kind, Long ownerNodeId, String verb) {
    if (kind == WindowKind.MAINTENANCE) {
      CalendarService.requirePlatformAdmin(caller, verb + " a maintenance window");
      if (ownerNodeId != null) {
        authorization.require(c, caller, ownerNodeId, Role.VIEWER, "see this node");
      }
      return;
    }
    if (ownerNodeId == null) {
      throw new InvalidSchedulingRequest(
          "ownerNodeId: a reservation is held by a tenancy node; give its id.");
    }
    authorization.require(
        c, caller, ownerNodeId, Role.ADMIN, verb + " a reservation for this node");
  }

  private WindowRow existing(Connection c, long calendarId, long windowId) throws SQLException {
    return windows
        .find(c, calendarId, windowId)
        .orElseThrow(() -> new WindowNotFound(calendarId, windowId));
  }

  private static String constraintOf(SQLException e) {
    return e instanceof PSQLException psql && psql.getServerErrorMessage() != null
        ? psql.getServerErrorMessage().getConstraint()
        : null;
  }
}
