package dev.rota.scheduling.internal.persistence;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.DatabaseRefusals;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.scheduling.internal.domain.CalendarKind;
import dev.rota.scheduling.internal.domain.WeekWindow;
import dev.rota.scheduling.internal.domain.WindowKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One test's own scheduling data in the shared database: calendars and tenancy nodes with random
 * names, so tests never see each other's rows, all removed again by {@link #close()}.
 */
public final class TestScheduling implements AutoCloseable {

  public static final String ACTOR = "test-seeder";

  /** In effect long before any instant the tests look at. */
  public static final Instant LONG_AGO = Instant.parse("2020-01-06T00:00:00Z");

  private static final String ROOT_GROUP =
      """
      WITH party AS (INSERT INTO tenancy.parties (kind) VALUES ('group') RETURNING id)
      INSERT INTO tenancy.nodes (kind, name, label, party_id)
      SELECT 'group', ?, ?, id FROM party                       -- 1 name, 2 label
      RETURNING id
      """;

  private static final String CHILD =
      """
      INSERT INTO tenancy.nodes (kind, parent_id, name, label)
      VALUES (?::tenancy.node_kind, ?, ?, ?)                    -- 1 kind, 2 parent, 3 name, 4 label
      RETURNING id
      """;

  private static final String DELETE_SUBTREE =
      """
      DELETE FROM tenancy.nodes n USING tenancy.nodes top
       WHERE top.id = ? AND n.path <@ top.path                  -- 1 the subtree's root
      """;

  private final DataSource dataSource = TestDatabase.get().dataSource();
  private final Transactions transactions = new Transactions(dataSource);
  private final CalendarRepository calendars = new CalendarRepository();
  private final WindowRepository windows = new WindowRepository();
  private final List<Long> calendarIds = new ArrayList<>();
  private final List<Long> roots = new ArrayList<>();

  public DataSource dataSource() {
    return dataSource;
  }

  public Transactions transactions() {
    return transactions;
  }

  public static String unique() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  public CalendarRow calendar(String zone) {
    return calendar(CalendarKind.POOL, zone);
  }

  public CalendarRow calendar(CalendarKind kind, String zone) {
    String name = "pool-" + unique();
    CalendarRow calendar = transactions.write(ACTOR, c -> calendars.insert(c, kind, name, zone));
    calendarIds.add(calendar.id());
    return calendar;
  }

  /** A new top-level group. */
  public long rootGroup() {
    String label = "s" + unique();
    long id =
        transactions.write(
            ACTOR,
            c -> {
              try (PreparedStatement insert = c.prepareStatement(ROOT_GROUP)) {
                insert.setString(1, label);
                insert.setString(2, label);
                return id(insert);
              }
            });
    roots.add(id);
    return id;
  }

  /** A child node ({@code project} or {@code subproject} or {@code group}) of {@code parent}. */
  public long child(long parent, String kind) {
    String label = "c" + unique();
    return transactions.write(
        ACTOR,
        c -> {
          try (PreparedStatement insert = c.prepareStatement(CHILD)) {
            insert.setString(1, kind);
            insert.setLong(2, parent);
            insert.setString(3, label);
            insert.setString(4, label);
            return id(insert);
          }
        });
  }

  /** Books a weekly maintenance window in effect since {@link #LONG_AGO}; throws if refused. */
  public WindowRow weekly(CalendarRow calendar, int start, int end) {
    return transactions.write(
        ACTOR,
        c ->
            windows.insertWeekly(
                c,
                calendar.id(),
                WindowKind.MAINTENANCE,
                null,
                null,
                new WeekWindow(start, end),
                LONG_AGO));
  }

  public WindowRow reservation(CalendarRow calendar, long owner, int start, int end) {
    return transactions.write(
        ACTOR,
        c ->
            windows.insertWeekly(
                c,
                calendar.id(),
                WindowKind.RESERVATION,
                owner,
                null,
                new WeekWindow(start, end),
                LONG_AGO));
  }

  public WindowRow once(CalendarRow calendar, Instant from, Instant to) {
    return transactions.write(
        ACTOR,
        c -> windows.insertOnce(c, calendar.id(), WindowKind.MAINTENANCE, null, null, from, to));
  }

  /** The name of the constraint the database refused a change for, from anywhere in the chain. */
  public static String constraintOf(Throwable failure) {
    return DatabaseRefusals.constraintOf(failure);
  }

  /** The SQLSTATE of the database refusal anywhere in the chain. */
  public static String sqlStateOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql.getSQLState();
      }
    }
    throw new AssertionError("not a database refusal: " + failure, failure);
  }

  @Override
  public void close() {
    transactions.write(
        ACTOR,
        c -> {
          for (long id : calendarIds) {
            calendars.delete(c, id);
          }
          try (PreparedStatement delete = c.prepareStatement(DELETE_SUBTREE)) {
            for (long root : roots) {
              delete.setLong(1, root);
              delete.executeUpdate();
            }
          }
          return null;
        });
  }

  private static long id(PreparedStatement insert) throws SQLException {
    try (ResultSet row = insert.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }
}
