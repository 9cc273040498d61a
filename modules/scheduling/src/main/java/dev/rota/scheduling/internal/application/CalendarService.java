package dev.rota.scheduling.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.scheduling.SchedulingException.CalendarNotFound;
import dev.rota.scheduling.internal.domain.CalendarKind;
import dev.rota.scheduling.internal.domain.TimeInput;
import dev.rota.scheduling.internal.persistence.CalendarRepository;
import dev.rota.scheduling.internal.persistence.CalendarRow;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.Forbidden;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Calendars are infrastructure: platform administrators create and delete them; every caller may
 * read them.
 */
@ApplicationScoped
public class CalendarService {

  private final CalendarRepository calendars = new CalendarRepository();

  @Inject Transactions transactions;

  public CalendarService() {}

  /** For tests and tools outside the container. */
  public CalendarService(Transactions transactions) {
    this.transactions = transactions;
  }

  public CalendarRow create(Caller caller, CalendarKind kind, String name, String timeZone) {
    requirePlatformAdmin(caller, "create a calendar");
    String zone = TimeInput.zone(timeZone).getId();
    return transactions.write(caller.name(), c -> calendars.insert(c, kind, name.strip(), zone));
  }

  public CalendarRow get(long id) {
    return transactions.read(c -> existing(c, id));
  }

  /** {@code limit + 1} calendars after the cursor, optionally of one kind and name. */
  public List<CalendarRow> page(CalendarKind kind, String name, Long afterId, int limit) {
    return transactions.read(c -> calendars.page(c, kind, name, afterId, limit + 1));
  }

  /** Deletes a calendar and every window booked on it. */
  public void delete(Caller caller, long id) {
    requirePlatformAdmin(caller, "delete a calendar");
    transactions.write(
        caller.name(),
        c -> {
          if (!calendars.delete(c, id)) {
            throw new CalendarNotFound(String.valueOf(id));
          }
          return null;
        });
  }

  CalendarRow existing(Connection c, long id) throws SQLException {
    return calendars.find(c, id).orElseThrow(() -> new CalendarNotFound(String.valueOf(id)));
  }

  static void requirePlatformAdmin(Caller caller, String what) {
    if (!caller.platformAdmin()) {
      throw new Forbidden(Role.OWNER, what + " (platform administrators only)");
    }
  }
}
