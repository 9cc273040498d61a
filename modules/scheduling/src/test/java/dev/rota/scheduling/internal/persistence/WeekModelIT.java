package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random weekly windows, wrapping ones included, offered both to PostgreSQL and to a
 * plain model of the week (a bit per second, per calendar); the two must agree on every accept and
 * refuse. Offers often start or end exactly where an accepted window ends or starts, so that
 * touching and the week's end are exercised. The same offers run against deliberately broken copies
 * of the constraint, to prove the comparison would catch such a mistake. The seed is fixed and
 * printed; {@code -Drota.week.seed=...} replays another. A second run mixes weekly windows in
 * effect from random instants with one-off windows and decides by enumerating real occurrences
 * ({@link OccurrenceModel}); on V3's constraint it finds the false conflicts V11 removed.
 */
class WeekModelIT {

  private static final int WEEK = 604_800;
  private static final int OFFERS = 5000;
  private static final int CALENDARS = 6;
  private static final long DEFAULT_SEED = 20_261_125L;

  /** A copy of scheduling.windows' weekly rule with a cover function given by the test. */
  private static final String BROKEN_TABLE =
      """
      CREATE TEMPORARY TABLE broken_windows (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, calendar_id bigint NOT NULL, start_second integer NOT NULL, end_second integer NOT NULL,
        EXCLUDE USING gist (calendar_id WITH =, pg_temp.broken_cover(start_second, end_second) WITH &&))
      """;

  private final TestScheduling scheduling = new TestScheduling();
  private Connection connection;

  @BeforeEach
  void open_a_connection() throws SQLException {
    connection = scheduling.dataSource().getConnection();
  }

  @AfterEach
  void clean_up() throws SQLException {
    connection.close();
    scheduling.close();
  }

  @Test
  void the_database_and_a_plain_model_of_the_week_agree_on_every_offer() throws SQLException {
    long seed = Long.getLong("rota.week.seed", DEFAULT_SEED);
    System.out.println(
        "WeekModelIT seed: " + seed + " (replay with -Drota.week.seed=" + seed + ")");
    long[] calendars = new long[CALENDARS];
    for (int i = 0; i < CALENDARS; i++) {
      calendars[i] = scheduling.calendar(i % 2 == 0 ? "Europe/Berlin" : "UTC").id();
    }
    String insert =
        "INSERT INTO scheduling.windows (calendar_id, kind, start_second, end_second, effective)"
            + " VALUES (?, 'maintenance', ?, ?, tstzrange('2020-01-06', NULL)) RETURNING id";

    Outcome outcome = offer(seed, calendars, insert, "DELETE FROM scheduling.windows WHERE id = ?");

    System.out.println("WeekModelIT: " + outcome);
    assertThat(outcome.disagreements()).as("first disagreements").isEmpty();
    assertThat(outcome.accepted()).isGreaterThan(OFFERS / 5);
    assertThat(outcome.refused()).isGreaterThan(OFFERS / 5);
    assertThat(outcome.wrappingAccepted()).isGreaterThan(20);
    assertThat(outcome.wrappingRefused()).isGreaterThan(200);
  }

  /**
   * Weekly windows in effect from random instants mixed with one-off windows (some longer than a
   * week) in the same calendars, UTC and Europe/Berlin across both of its 2027 clock changes,
   * offered to PostgreSQL and to {@link OccurrenceModel}, which decides by listing the real
   * occurrences of every window. A quarter of the weekly offers start where an accepted one-off
   * starts and take effect inside it, after that instant: their first occurrence is a week later,
   * which a constraint comparing effective ranges instead of occurrences refuses.
   */
  @Test
  void weekly_windows_from_any_instant_and_one_off_windows_agree_with_a_model_of_occurrences()
      throws SQLException {
    long seed = Long.getLong("rota.mixed.seed", DEFAULT_SEED);
    System.out.println("WeekModelIT mixed seed: " + seed + " (replay with -Drota.mixed.seed=)");
    String[] zones = {"UTC", "Europe/Berlin", "UTC", "Europe/Berlin"};
    long[] calendars = new long[zones.length];
    List<OccurrenceModel> models = new ArrayList<>();
    for (int i = 0; i < zones.length; i++) {
      calendars[i] = scheduling.calendar(zones[i]).id();
      models.add(new OccurrenceModel(ZoneId.of(zones[i]), MIXED_HORIZON));
    }
    Random random = new Random(seed);
    List<String> disagreements = new ArrayList<>();
    int[] tally = new int[5]; // accepted, refused, weekly accepted, one-offs accepted, "inside"
    connection.setAutoCommit(true);
    try (PreparedStatement weekly = connection.prepareStatement(MIXED_WEEKLY);
        PreparedStatement once = connection.prepareStatement(MIXED_ONCE);
        PreparedStatement delete =
            connection.prepareStatement("DELETE FROM scheduling.windows WHERE id = ?")) {
      for (int n = 1; n <= OFFERS; n++) {
        int k = random.nextInt(calendars.length);
        OccurrenceModel model = models.get(k);
        if (!model.held().isEmpty() && random.nextInt(5) == 0) {
          delete.setLong(1, model.release(random.nextInt(model.held().size())).id());
          assertThat(delete.executeUpdate()).isEqualTo(1);
          continue;
        }
        OccurrenceModel.Window offer;
        long id;
        boolean inside = false;
        if (random.nextInt(3) == 0) {
          Instant[] span = mixedSpan(random);
          offer = OccurrenceModel.once(span[0], span[1]);
          id = insert(once, calendars[k], span[0], span[1]);
        } else {
          int[] window = randomWindow(random, List.of());
          Instant from = MIXED_START.plusSeconds(random.nextLong(MIXED_SPAN));
          OccurrenceModel.Window target = someOneOff(random, model);
          if (target != null && random.nextInt(4) == 0) {
            // Start where the one-off starts (on the calendar's clock) and take effect just after.
            long[] span = target.occurrences();
            from = Instant.ofEpochSecond(span[0] + 1 + random.nextLong(span[1] - span[0]));
            window[0] = weekSecond(Instant.ofEpochSecond(span[0]), zones[k]);
            window[1] = Math.min(WEEK, window[0] + 1 + random.nextInt(3600));
            inside = true;
          }
          offer = model.weekly(window[0], window[1], from);
          id = insert(weekly, calendars[k], window[0], window[1], from);
        }
        OccurrenceModel.Window conflict = model.conflict(offer);
        boolean databaseAccepts = id > 0;
        if ((conflict == null) != databaseAccepts && disagreements.size() < 10) {
          disagreements.add(
              "offer "
                  + n
                  + " on a "
                  + zones[k]
                  + " calendar, "
                  + offer.what()
                  + ": database "
                  + (databaseAccepts ? "accepts" : "refuses")
                  + ", model "
                  + (conflict == null ? "accepts" : "refuses for " + conflict.what()));
        }
        if (databaseAccepts) {
          model.hold(offer, id);
          tally[0]++;
          tally[offer.what().startsWith("weekly") ? 2 : 3]++;
          tally[4] += inside ? 1 : 0;
        } else {
          tally[1]++;
        }
      }
    }

    System.out.printf(
        "WeekModelIT mixed: %d accepted (%d weekly, %d one-off, %d weekly taking effect inside a"
            + " one-off), %d refused, %d disagreements%n",
        tally[0], tally[2], tally[3], tally[4], tally[1], disagreements.size());
    assertThat(disagreements).as("first disagreements").isEmpty();
    assertThat(tally[2]).as("weekly accepted").isGreaterThan(300);
    assertThat(tally[3]).as("one-offs accepted").isGreaterThan(300);
    assertThat(tally[1]).as("refused").isGreaterThan(OFFERS / 5);
    assertThat(tally[4]).as("weekly accepted taking effect inside a one-off").isGreaterThan(50);
  }

  @Test
  void the_comparison_catches_a_cover_whose_plain_branch_yields_an_empty_range()
      throws SQLException {
    createBroken(
        """
        CASE WHEN s < e THEN int4multirange(int4range(s, s))
             ELSE int4multirange(int4range(s, 604800), int4range(0, e)) END
        """);

    assertThat(offer(DEFAULT_SEED, new long[] {1, 2}, BROKEN_INSERT, BROKEN_DELETE).disagreements())
        .isNotEmpty();
  }

  @Test
  void the_comparison_catches_a_cover_whose_wrapping_branch_yields_an_empty_range()
      throws SQLException {
    createBroken(
        """
        CASE WHEN s < e THEN int4multirange(int4range(s, e))
             ELSE int4multirange(int4range(e, e)) END
        """);

    assertThat(offer(DEFAULT_SEED, new long[] {1, 2}, BROKEN_INSERT, BROKEN_DELETE).disagreements())
        .isNotEmpty();
  }

  @Test
  void the_comparison_catches_a_cover_that_drops_the_piece_after_the_week_end()
      throws SQLException {
    createBroken(
        """
        CASE WHEN s < e THEN int4multirange(int4range(s, e))
             ELSE int4multirange(int4range(s, 604800)) END
        """);

    assertThat(offer(DEFAULT_SEED, new long[] {1, 2}, BROKEN_INSERT, BROKEN_DELETE).disagreements())
        .isNotEmpty();
  }

  @Test
  void the_comparison_catches_a_cover_that_closes_its_ranges() throws SQLException {
    createBroken(
        """
        CASE WHEN s < e THEN int4multirange(int4range(s, e, '[]'))
             ELSE int4multirange(int4range(s, 604800), int4range(0, e)) END
        """);

    assertThat(offer(DEFAULT_SEED, new long[] {1, 2}, BROKEN_INSERT, BROKEN_DELETE).disagreements())
        .isNotEmpty();
  }

  private void createBroken(String body) throws SQLException {
    try (Statement ddl = connection.createStatement()) {
      ddl.execute(
          "CREATE FUNCTION pg_temp.broken_cover(s integer, e integer) RETURNS int4multirange"
              + " LANGUAGE sql IMMUTABLE RETURN "
              + body);
      ddl.execute(BROKEN_TABLE);
    }
  }

  private static final String BROKEN_INSERT =
      "INSERT INTO pg_temp.broken_windows (calendar_id, start_second, end_second) VALUES (?, ?, ?)"
          + " RETURNING id";

  private static final String BROKEN_DELETE = "DELETE FROM pg_temp.broken_windows WHERE id = ?";

  /**
   * Offers the same random windows to the database (through {@code insertSql}) and the model; one
   * step in six instead cancels a random accepted window in both, so that the week never fills up.
   */
  private Outcome offer(long seed, long[] calendars, String insertSql, String deleteSql)
      throws SQLException {
    Random random = new Random(seed);
    List<BitSet> model = new ArrayList<>();
    List<List<int[]>> accepted = new ArrayList<>();
    for (int i = 0; i < calendars.length; i++) {
      model.add(new BitSet(WEEK));
      accepted.add(new ArrayList<>());
    }
    Outcome outcome = new Outcome();
    connection.setAutoCommit(true);
    try (PreparedStatement insert = connection.prepareStatement(insertSql);
        PreparedStatement delete = connection.prepareStatement(deleteSql)) {
      for (int n = 1; n <= OFFERS; n++) {
        int k = random.nextInt(calendars.length);
        List<int[]> held = accepted.get(k);
        if (!held.isEmpty() && random.nextInt(6) == 0) {
          int[] cancelled = held.remove(pickToCancel(random, held));
          delete.setLong(1, cancelled[2]);
          assertThat(delete.executeUpdate()).isEqualTo(1);
          model.get(k).andNot(covered(cancelled));
          continue;
        }
        int[] window = randomWindow(random, held);
        BitSet covered = covered(window);
        boolean modelAccepts = !covered.intersects(model.get(k));
        long id = insert(insert, calendars[k], window);
        boolean databaseAccepts = id > 0;
        outcome.count(window, databaseAccepts);
        if (modelAccepts != databaseAccepts) {
          outcome.disagree(
              "offer "
                  + n
                  + " of seed "
                  + seed
                  + ": ["
                  + window[0]
                  + ", "
                  + window[1]
                  + ") on calendar "
                  + k
                  + ": model "
                  + (modelAccepts ? "accepts" : "refuses")
                  + ", database "
                  + (databaseAccepts ? "accepts" : "refuses"));
        }
        if (databaseAccepts) {
          model.get(k).or(covered);
          held.add(new int[] {window[0], window[1], Math.toIntExact(id)});
        }
      }
    }
    return outcome;
  }

  /** Any accepted window, but the wrapping one (at most one can be held) half the time. */
  private static int pickToCancel(Random random, List<int[]> held) {
    if (random.nextBoolean()) {
      for (int i = 0; i < held.size(); i++) {
        if (held.get(i)[0] > held.get(i)[1]) {
          return i;
        }
      }
    }
    return random.nextInt(held.size());
  }

  /**
   * Start anywhere, often exactly at an accepted window's end; length from a second to the whole
   * week, often ending exactly at an accepted window's start; wrapping whenever it passes the end.
   */
  private static int[] randomWindow(Random random, List<int[]> accepted) {
    if (random.nextInt(400) == 0) {
      return new int[] {0, WEEK};
    }
    int start =
        switch (random.nextInt(6)) {
          case 0, 1 ->
              accepted.isEmpty() ? 0 : accepted.get(random.nextInt(accepted.size()))[1] % WEEK;
          case 2 -> WEEK - 1 - random.nextInt(6 * 3600); // near the week's end, to wrap
          default -> random.nextInt(WEEK);
        };
    int length =
        switch (random.nextInt(8)) {
          case 0, 1, 2 -> 1 + random.nextInt(600);
          case 3, 4 -> 1 + random.nextInt(3 * 3600);
          case 5, 6 -> 1 + random.nextInt(86_400);
          default -> 1 + random.nextInt(WEEK - 1);
        };
    if (!accepted.isEmpty() && random.nextInt(3) == 0) {
      int target = accepted.get(random.nextInt(accepted.size()))[0];
      length = Math.floorMod(target - start, WEEK);
      if (length == 0) {
        length = 1 + random.nextInt(3600);
      }
    }
    int end = (start + length) % WEEK;
    return new int[] {start, end == 0 ? WEEK : end};
  }

  /** Weekly windows take effect, and one-offs start, within 2027 up to November. */
  private static final Instant MIXED_START = Instant.parse("2027-01-01T00:00:00Z");

  private static final long MIXED_SPAN = 304 * 86_400L;

  /** Beyond every one-off and two weeks beyond every weekly window's start of effect. */
  private static final Instant MIXED_HORIZON = Instant.parse("2028-01-01T00:00:00Z");

  private static final String MIXED_WEEKLY =
      """
      INSERT INTO scheduling.windows (calendar_id, kind, start_second, end_second, effective)
      VALUES (?, 'maintenance', ?, ?, tstzrange(?, NULL))  -- 1 calendar, 2 start, 3 end, 4 from
      RETURNING id
      """;

  private static final String MIXED_ONCE =
      """
      INSERT INTO scheduling.windows (calendar_id, kind, effective)
      VALUES (?, 'maintenance', tstzrange(?, ?))           -- 1 calendar, 2 from, 3 to
      RETURNING id
      """;

  /** A second to twelve days, often on quarter hours, sometimes across a Berlin clock change. */
  private static Instant[] mixedSpan(Random random) {
    long length =
        switch (random.nextInt(4)) {
          case 0 -> 1 + random.nextInt(4 * 3600);
          case 1, 2 -> 1 + random.nextInt(3 * 86_400);
          default -> 1 + random.nextInt(12 * 86_400);
        };
    long from =
        random.nextInt(8) == 0
            ? BERLIN_CHANGES[random.nextInt(2)].getEpochSecond() - random.nextInt(2 * 86_400)
            : MIXED_START.getEpochSecond() + random.nextLong(MIXED_SPAN);
    if (random.nextBoolean()) {
      from -= Math.floorMod(from, 900);
      length = Math.max(900, length - Math.floorMod(length, 900));
    }
    return new Instant[] {Instant.ofEpochSecond(from), Instant.ofEpochSecond(from + length)};
  }

  private static final Instant[] BERLIN_CHANGES = {
    Instant.parse("2027-03-28T01:00:00Z"), Instant.parse("2027-10-31T01:00:00Z")
  };

  private static OccurrenceModel.Window someOneOff(Random random, OccurrenceModel model) {
    List<OccurrenceModel.Window> onceOnly =
        model.held().stream().filter(w -> w.occurrences().length == 2).toList();
    return onceOnly.isEmpty() ? null : onceOnly.get(random.nextInt(onceOnly.size()));
  }

  private static int weekSecond(Instant at, String zone) {
    LocalDateTime local = LocalDateTime.ofInstant(at, ZoneId.of(zone));
    return (local.getDayOfWeek().getValue() - 1) * 86_400 + local.toLocalTime().toSecondOfDay();
  }

  /** The new window's id, or 0 when the database refused it as an overlap. */
  private static long insert(PreparedStatement insert, long calendar, Object... values)
      throws SQLException {
    insert.setLong(1, calendar);
    for (int i = 0; i < values.length; i++) {
      insert.setObject(
          i + 2,
          values[i] instanceof Instant at
              ? OffsetDateTime.ofInstant(at, ZoneOffset.UTC)
              : values[i]);
    }
    try (ResultSet row = insert.executeQuery()) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      if ("23P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  /** The seconds the window covers, one by one: the model knows nothing of ranges. */
  private static BitSet covered(int[] window) {
    BitSet seconds = new BitSet(WEEK);
    int second = window[0];
    int length = window[0] < window[1] ? window[1] - window[0] : WEEK - window[0] + window[1];
    if (length <= 200_000) {
      for (int i = 0; i < length; i++) {
        seconds.set((second + i) % WEEK);
      }
    } else if (window[0] < window[1]) {
      seconds.set(window[0], window[1]);
    } else {
      seconds.set(window[0], WEEK);
      seconds.set(0, window[1]);
    }
    return seconds;
  }

  /** The new window's id, or 0 when the database refused it as an overlap. */
  private static long insert(PreparedStatement insert, long calendar, int[] window)
      throws SQLException {
    insert.setLong(1, calendar);
    insert.setInt(2, window[0]);
    insert.setInt(3, window[1]);
    try (ResultSet row = insert.executeQuery()) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      if ("23P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  /** Tallies of one run and its first disagreements. */
  private static final class Outcome {
    private final List<String> disagreements = new ArrayList<>();
    private int accepted;
    private int refused;
    private int wrappingAccepted;
    private int wrappingRefused;

    void count(int[] window, boolean accepted) {
      boolean wraps = window[0] > window[1];
      if (accepted) {
        this.accepted++;
        wrappingAccepted += wraps ? 1 : 0;
      } else {
        refused++;
        wrappingRefused += wraps ? 1 : 0;
      }
    }

    void disagree(String what) {
      if (disagreements.size() < 10) {
        disagreements.add(what);
      }
    }

    List<String> disagreements() {
      return disagreements;
    }

    int accepted() {
      return accepted;
    }

    int refused() {
      return refused;
    }

    int wrappingAccepted() {
      return wrappingAccepted;
    }

    int wrappingRefused() {
      return wrappingRefused;
    }

    @Override
    public String toString() {
      return accepted
          + " accepted ("
          + wrappingAccepted
          + " wrapping), "
          + refused
          + " refused ("
          + wrappingRefused
          + " wrapping), "
          + disagreements.size()
          + " disagreements";
    }
  }
}
