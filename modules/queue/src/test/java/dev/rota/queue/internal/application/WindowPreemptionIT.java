package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.platform.Transactions;
import dev.rota.queue.internal.persistence.TaskPodsRepository;
import dev.rota.queue.internal.persistence.WindowPreemptionRepository.WindowVictim;
import dev.rota.scheduling.internal.application.PoolAvailabilityService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Preemption when a window starts, against the real database: each case seeds admitted and running
 * tasks on the test's pool (and another pool), books a window on the pool's calendar, runs the
 * window statement at an instant and asserts the exact victims, their rule and rank, and that no
 * second decision is ever recorded for a victim.
 */
class WindowPreemptionIT {

  private final TestQueue queue = new TestQueue();
  private final TestQueue other = new TestQueue();
  private final Transactions transactions = queue.transactions();
  private final WindowPreemption windows = new WindowPreemption(transactions);
  private final Instant now =
      Instant.now().truncatedTo(ChronoUnit.SECONDS); // windows: whole seconds

  @AfterEach
  void clean_up() {
    queue.close();
    other.close();
  }

  @Test
  void maintenance_preempts_every_task_on_the_pool_and_none_on_other_pools() {
    String node = queue.node(8);
    String elsewhere = other.node(8);
    long project = queue.project();
    long running = task(queue, project, node, 2, "rota-high", "running", 30);
    long admitted = task(queue, project, node, 2, "rota-low", "admitted", 1);
    long untouched = task(other, other.project(), elsewhere, 4, "rota-low", "running", 30);
    long window =
        queue.window(queue.calendar(), null, now.minusSeconds(60), now.plus(Duration.ofHours(1)));

    List<WindowVictim> victims = windows.preempt(now);

    assertThat(victims)
        .containsExactly(
            new WindowVictim(admitted, queue.pool, window, "maintenance"),
            new WindowVictim(running, queue.pool, window, "maintenance"));
    assertThat(states(queue.pool))
        .containsExactly(running + ":preempting", admitted + ":preempting");
    assertThat(states(other.pool)).containsExactly(untouched + ":running");
    assertThat(decisions(queue.pool))
        .as("victim:rule:window:rank:candidates:GPUs, no preemptor, nothing kept")
        .containsExactly(
            admitted + ":maintenance:" + window + ":1:2:2:true",
            running + ":maintenance:" + window + ":2:2:2:true");
    assertThat(lastEvent(running))
        .isEqualTo("running>preempting:preempted:" + WindowPreemption.ACTOR);
    assertThat(queue.held(node)).as("GPUs stay held until the Pods are gone").isEqualTo(4);
  }

  @Test
  void a_requeued_victim_waits_with_reason_maintenance_while_the_window_holds() {
    String node = queue.node(8);
    long project = queue.project();
    long victim = task(queue, project, node, 2, "rota-normal", "running", 30);
    queue.window(queue.calendar(), null, now.minusSeconds(60), now.plus(Duration.ofHours(1)));
    windows.preempt(now);

    transactions.write("test", c -> new TaskPodsRepository().requeue(c, victim, 1));
    new AdmissionService(transactions, new PoolAvailabilityService(), 200, Duration.ofDays(1))
        .admit(queue.pool, now);

    assertThat(queue.task(victim).state()).isEqualTo("pending");
    assertThat(queue.task(victim).attempt()).isEqualTo(2);
    assertThat(queue.task(victim).waitReason()).isEqualTo("maintenance");
    assertThat(queue.held(node)).isZero();
  }

  @Test
  void nothing_is_preempted_before_the_window_starts_and_everything_once_it_has() {
    String node = queue.node(8);
    long project = queue.project();
    long victim = task(queue, project, node, 2, "rota-normal", "running", 30);
    Instant start = now.plus(Duration.ofHours(1));
    queue.window(queue.calendar(), null, start, start.plus(Duration.ofHours(1)));

    assertThat(windows.preempt(start.minusSeconds(1))).isEmpty();
    assertThat(states(queue.pool)).containsExactly(victim + ":running");

    assertThat(windows.preempt(start)).extracting(WindowVictim::taskId).containsExactly(victim);
  }

  @Test
  void a_weekly_window_that_wraps_the_weeks_end_holds_across_it() {
    String node = queue.node(8);
    long project = queue.project();
    long victim = task(queue, project, node, 2, "rota-normal", "running", 30);
    long calendar = queue.calendar();
    long window = weekly(calendar, 604800 - 3600, 3600); // Sunday 23:00 to Monday 01:00, UTC
    Instant monday =
        ZonedDateTime.ofInstant(now, ZoneOffset.UTC)
            .with(TemporalAdjusters.next(DayOfWeek.MONDAY))
            .with(LocalTime.MIDNIGHT)
            .toInstant();

    assertThat(windows.preempt(monday.minus(Duration.ofHours(2)))).as("Sunday 22:00").isEmpty();
    assertThat(windows.preempt(monday.plus(Duration.ofHours(2)))).as("Monday 02:00").isEmpty();
    assertThat(windows.preempt(monday.plus(Duration.ofMinutes(30))))
        .as("Monday 00:30, after the week's end")
        .containsExactly(new WindowVictim(victim, queue.pool, window, "maintenance"));
  }

  @Test
  void a_reservation_preempts_other_tenants_lowest_priority_first_and_spares_its_holders_subtree() {
    String a = queue.node(8);
    String b = queue.node(8);
    long holder = queue.root(0, null);
    long holdersProject = queue.child(holder, 0, null);
    long stranger = queue.project();
    long neighbour = queue.project();
    long spared = task(queue, holdersProject, a, 2, "rota-low", "running", 30);
    long high = task(queue, stranger, a, 2, "rota-high", "running", 30);
    long lowOld = task(queue, neighbour, b, 2, "rota-low", "running", 60);
    long lowYoung = task(queue, stranger, b, 2, "rota-low", "admitted", 5);
    long normal = task(queue, neighbour, a, 2, "rota-normal", "running", 10);
    long window =
        queue.window(queue.calendar(), holder, now.minusSeconds(1), now.plus(Duration.ofHours(1)));

    List<WindowVictim> victims = windows.preempt(now);

    assertThat(victims)
        .as("lowest priority first, the youngest first among equals")
        .extracting(WindowVictim::taskId)
        .containsExactly(lowYoung, lowOld, normal, high);
    assertThat(victims).extracting(WindowVictim::rule).containsOnly("reservation");
    assertThat(decisions(queue.pool))
        .containsExactly(
            lowYoung + ":reservation:" + window + ":1:4:2:true",
            lowOld + ":reservation:" + window + ":2:4:2:true",
            normal + ":reservation:" + window + ":3:4:2:true",
            high + ":reservation:" + window + ":4:4:2:true");
    assertThat(queue.task(spared).state()).isEqualTo("running");
  }

  @Test
  void an_ongoing_window_preempts_a_task_that_slipped_in_and_never_decides_twice() {
    String node = queue.node(8);
    long project = queue.project();
    long first = task(queue, project, node, 2, "rota-normal", "running", 30);
    long window =
        queue.window(queue.calendar(), null, now.minusSeconds(60), now.plus(Duration.ofHours(1)));
    windows.preempt(now);

    long slipped = task(queue, project, node, 2, "rota-normal", "admitted", 0);
    List<WindowVictim> second = windows.preempt(now.plusSeconds(2));
    List<WindowVictim> third = windows.preempt(now.plusSeconds(4));

    assertThat(second)
        .containsExactly(new WindowVictim(slipped, queue.pool, window, "maintenance"));
    assertThat(third).isEmpty();
    assertThat(decisions(queue.pool))
        .containsExactly(
            first + ":maintenance:" + window + ":1:1:2:true",
            slipped + ":maintenance:" + window + ":1:1:2:true");
  }

  /** A task with one replica of {@code gpus} on {@code node}, admitted {@code minutesAgo}. */
  private long task(
      TestQueue on,
      long project,
      String node,
      int gpus,
      String priorityClass,
      String state,
      int minutesAgo) {
    return transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  WITH t AS (
                    INSERT INTO queue.tasks (node_id, pool, replicas, gpus_per_replica,
                                             priority_class, priority, spec, state, quota_mode,
                                             admitted_at, started_at, queued_at, submitted_by)
                    SELECT ?, ?, 1, ?, name, value, '{"container":{"image":"x"}}', ?,
                           'in_quota', now() - make_interval(mins => ?),
                           CASE WHEN ? = 'running' THEN now() - make_interval(mins => ?) END,
                           now() - make_interval(mins => ?), 'seeder'
                      FROM queue.priority_classes WHERE name = ?
                    RETURNING id)
                  INSERT INTO queue.placements (task_id, replica, node_name, gpus)
                  SELECT id, 0, ?, ? FROM t
                  RETURNING task_id
                  """)) { // 1 node, 2 pool, 3 GPUs, 4 state, 5 minutes ago, 6 state,
            // 7-8 minutes ago, 9 class, 10 cluster node, 11 GPUs
            insert.setLong(1, project);
            insert.setString(2, on.pool);
            insert.setInt(3, gpus);
            insert.setString(4, state);
            insert.setInt(5, minutesAgo);
            insert.setString(6, state);
            insert.setInt(7, minutesAgo);
            insert.setInt(8, minutesAgo);
            insert.setString(9, priorityClass);
            insert.setString(10, node);
            insert.setInt(11, gpus);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** A weekly maintenance window of the calendar, in effect since a week ago. */
  private long weekly(long calendar, int startSecond, int endSecond) {
    return transactions.write(
        TestQueue.ACTOR,
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  INSERT INTO scheduling.windows (calendar_id, kind, start_second, end_second,
                                                  effective)
                  VALUES (?, 'maintenance', ?, ?, tstzrange(date_trunc('second', now())
                                                              - interval '8 days', NULL))
                  RETURNING id
                  """)) { // 1 calendar, 2 start second, 3 end second
            insert.setLong(1, calendar);
            insert.setInt(2, startSecond);
            insert.setInt(3, endSecond);
            try (ResultSet row = insert.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /** The pool's tasks as id:state, by id. */
  private List<String> states(String pool) {
    return strings("SELECT id || ':' || state FROM queue.tasks WHERE pool = ? ORDER BY id", pool);
  }

  /** The window decisions on the pool's tasks, by id of the decision. */
  private List<String> decisions(String pool) {
    return strings(
        """
        SELECT p.victim_id || ':' || p.rule || ':' || p.window_id || ':' || p.position || ':'
               || p.candidates || ':' || p.gpus_freed || ':'
               || (p.preemptor_id IS NULL AND p.node_name IS NULL AND p.released_at IS NOT NULL)
          FROM queue.preemptions p JOIN queue.tasks t ON t.id = p.victim_id
         WHERE t.pool = ?
         ORDER BY p.id
        """,
        pool);
  }

  private String lastEvent(long task) {
    return strings(
            """
            SELECT from_state || '>' || to_state || ':' || reason || ':' || actor
              FROM queue.task_events WHERE task_id = ?::bigint ORDER BY id DESC LIMIT 1
            """,
            String.valueOf(task))
        .get(0);
  }

  private List<String> strings(String sql, String parameter) {
    return transactions.read(
        c -> {
          try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, parameter); // 1 the pool or task
            List<String> rows = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                rows.add(row.getString(1));
              }
            }
            return rows;
          }
        });
  }
}
