package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random one-off windows around Europe/Berlin's daylight-saving changes, mixed with random weekly
 * windows, offered both to PostgreSQL and to a model that works out with java.time which seconds of
 * the week each one-off shows on Berlin's clock. The two must agree on every accept and refuse, and
 * on the covered seconds the database stored for every accepted one-off.
 */
class OneOffModelIT {

  private static final int WEEK = 604_800;
  private static final int OFFERS = 1500;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final long SEED = Long.getLong("rota.once.seed", 20_261_126L);

  /** Berlin's clock changes from 2027 to 2036, twenty of them. */
  private static final List<Instant> CHANGES = changes();

  private static final String INSERT_WEEKLY =
      """
      INSERT INTO scheduling.windows (calendar_id, kind, start_second, end_second, effective)
      VALUES (?, 'maintenance', ?, ?, tstzrange('2020-01-06', NULL))  -- 1 calendar, 2 start, 3 end
      RETURNING id
      """;

  private static final String INSERT_ONCE =
      """
      INSERT INTO scheduling.windows (calendar_id, kind, effective)
      VALUES (?, 'maintenance', tstzrange(?, ?))                     -- 1 calendar, 2 from, 3 to
      RETURNING id || ' ' || once_cover::text
      """;

  private final TestScheduling scheduling = new TestScheduling();
  private Connection connection;

  @BeforeEach
  void open_a_connection() throws SQLException {
    connection = scheduling.dataSource().getConnection();
    connection.setAutoCommit(true);
  }

  @AfterEach
  void clean_up() throws SQLException {
    connection.close();
    scheduling.close();
  }

  @Test
  void one_off_windows_across_daylight_saving_changes_agree_with_a_java_time_model()
      throws SQLException {
    System.out.println(
        "OneOffModelIT seed: " + SEED + " (replay with -Drota.once.seed=" + SEED + ")");
    long calendar = scheduling.calendar("Europe/Berlin").id();
    Random random = new Random(SEED);
    List<Booked> booked = new ArrayList<>();
    List<String> disagreements = new ArrayList<>();
    int accepted = 0;
    int refused = 0;
    int acrossChange = 0;

    for (int n = 1; n <= OFFERS; n++) {
      if (!booked.isEmpty() && random.nextInt(5) == 0) {
        cancel(booked.remove(random.nextInt(booked.size())));
        continue;
      }
      Booked offer;
      boolean modelAccepts;
      long id;
      if (random.nextInt(8) == 0) {
        int start = random.nextInt(WEEK);
        int end = (start + 1 + random.nextInt(7200)) % WEEK;
        int[] window = {start, end == 0 ? WEEK : end};
        offer =
            new Booked(
                0, weeklyCover(window), null, "weekly [" + window[0] + ", " + window[1] + ")");
        modelAccepts = booked.stream().noneMatch(b -> b.cover().intersects(offer.cover()));
        id = insertWeekly(calendar, window);
      } else {
        Instant[] span = randomSpan(random);
        offer =
            new Booked(
                0,
                localCover(span[0], span[1]),
                span,
                "one-off [" + span[0] + ", " + span[1] + ")");
        modelAccepts =
            booked.stream()
                .noneMatch(
                    b ->
                        b.span() == null
                            ? b.cover().intersects(offer.cover())
                            : b.span()[0].isBefore(span[1]) && span[0].isBefore(b.span()[1]));
        String stored = insertOnce(calendar, span);
        id = stored == null ? 0 : Long.parseLong(stored.substring(0, stored.indexOf(' ')));
        if (stored != null
            && !stored.substring(stored.indexOf(' ') + 1).equals(multirange(offer.cover()))) {
          disagreements.add(
              offer.what()
                  + ": database covers "
                  + stored
                  + ", model "
                  + multirange(offer.cover()));
        }
        if (id > 0 && CHANGES.stream().anyMatch(c -> span[0].isBefore(c) && span[1].isAfter(c))) {
          acrossChange++;
        }
      }
      boolean databaseAccepts = id > 0;
      if (databaseAccepts) {
        booked.add(new Booked(id, offer.cover(), offer.span(), offer.what()));
        accepted++;
      } else {
        refused++;
      }
      if (modelAccepts != databaseAccepts) {
        disagreements.add(
            "offer "
                + n
                + ", "
                + offer.what()
                + ": model "
                + (modelAccepts ? "accepts" : "refuses")
                + ", database "
                + (databaseAccepts ? "accepts" : "refuses"));
      }
    }

    System.out.println(
        "OneOffModelIT: "
            + accepted
            + " accepted, "
            + refused
            + " refused, "
            + acrossChange
            + " accepted one-offs across a daylight-saving change");
    assertThat(disagreements).as("disagreements").isEmpty();
    assertThat(accepted).isGreaterThan(200);
    assertThat(refused).isGreaterThan(200);
    assertThat(acrossChange).isGreaterThan(20);
  }

  /** A window both sides hold: its id, covered seconds, and span (null for weekly). */
  private record Booked(long id, BitSet cover, Instant[] span, String what) {}

  /**
   * Often across a change, else within three days of one or anywhere in the year; often on quarter
   * hours; a second to twelve days long.
   */
  private static Instant[] randomSpan(Random random) {
    long length =
        switch (random.nextInt(6)) {
          case 0 -> 1 + random.nextInt(900);
          case 1, 2 -> 1 + random.nextInt(4 * 3600);
          case 3, 4 -> 1 + random.nextInt(86_400);
          default -> 1 + random.nextInt(12 * 86_400);
        };
    Instant change = CHANGES.get(random.nextInt(CHANGES.size()));
    long from =
        switch (random.nextInt(3)) {
          case 0 -> change.getEpochSecond() - 1 - random.nextLong(Math.min(length, 4 * 3600));
          case 1 -> change.getEpochSecond() - 3 * 86_400 + random.nextInt(6 * 86_400);
          default -> CHANGES.get(0).getEpochSecond() + random.nextLong(10 * 365 * 86_400L);
        };
    if (random.nextBoolean()) {
      from -= Math.floorMod(from, 900);
      length = Math.max(900, length - Math.floorMod(length, 900));
    }
    return new Instant[] {Instant.ofEpochSecond(from), Instant.ofEpochSecond(from + length)};
  }

  private static List<Instant> changes() {
    List<Instant> changes = new ArrayList<>();
    Instant from = Instant.parse("2027-01-01T00:00:00Z");
    for (ZoneOffsetTransition t = BERLIN.getRules().nextTransition(from);
        changes.size() < 20;
        t = BERLIN.getRules().nextTransition(t.getInstant())) {
      changes.add(t.getInstant());
    }
    return List.copyOf(changes);
  }

  /** The seconds of the week Berlin's clock shows during [from, to), piece by constant offset. */
  static BitSet localCover(Instant from, Instant to) {
    BitSet seconds = new BitSet(WEEK);
    Instant cursor = from;
    while (cursor.isBefore(to)) {
      ZoneOffsetTransition next = BERLIN.getRules().nextTransition(cursor);
      Instant pieceEnd = next == null || !next.getInstant().isBefore(to) ? to : next.getInstant();
      LocalDateTime local = LocalDateTime.ofInstant(cursor, BERLIN);
      int start =
          (local.getDayOfWeek().getValue() - 1) * 86_400 + local.toLocalTime().toSecondOfDay();
      long length = Duration.between(cursor, pieceEnd).getSeconds();
      if (length >= WEEK) {
        seconds.set(0, WEEK);
      } else if (start + length <= WEEK) {
        seconds.set(start, (int) (start + length));
      } else {
        seconds.set(start, WEEK);
        seconds.set(0, (int) (start + length - WEEK));
      }
      cursor = pieceEnd;
    }
    return seconds;
  }

  private static BitSet weeklyCover(int[] window) {
    BitSet seconds = new BitSet(WEEK);
    if (window[0] < window[1]) {
      seconds.set(window[0], window[1]);
    } else {
      seconds.set(window[0], WEEK);
      seconds.set(0, window[1]);
    }
    return seconds;
  }

  /** PostgreSQL's text form of the multirange with the same seconds. */
  private static String multirange(BitSet seconds) {
    List<String> ranges = new ArrayList<>();
    for (int start = seconds.nextSetBit(0); start >= 0; start = seconds.nextSetBit(start)) {
      int end = seconds.nextClearBit(start);
      ranges.add("[" + start + "," + end + ")");
      start = end;
    }
    return "{" + String.join(",", ranges) + "}";
  }

  /** The new window's id, or 0 when refused. */
  private long insertWeekly(long calendar, int[] window) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_WEEKLY)) {
      insert.setLong(1, calendar);
      insert.setInt(2, window[0]);
      insert.setInt(3, window[1]);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      refused(e);
      return 0;
    }
  }

  private void cancel(Booked window) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM scheduling.windows WHERE id = ?")) {
      delete.setLong(1, window.id());
      assertThat(delete.executeUpdate()).isEqualTo(1);
    }
  }

  /** "id cover" as stored, or null when refused. */
  private String insertOnce(long calendar, Instant[] span) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ONCE)) {
      insert.setLong(1, calendar);
      insert.setObject(2, OffsetDateTime.ofInstant(span[0], ZoneOffset.UTC));
      insert.setObject(3, OffsetDateTime.ofInstant(span[1], ZoneOffset.UTC));
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    } catch (SQLException e) {
      refused(e);
      return null;
    }
  }

  private static void refused(SQLException e) throws SQLException {
    if (!"23P01".equals(e.getSQLState())) {
      throw e;
    }
  }
}
