package dev.rota.scheduling.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real threads racing to book overlapping windows, each in its own transaction on its own
 * connection, released together by a latch: the exclusion constraint lets exactly one win.
 */
class WindowRaceIT {

  private static final int THREADS = 50;
  private static final int WEEK = 604_800;

  private final TestScheduling scheduling = new TestScheduling();

  @AfterEach
  void clean_up() {
    scheduling.close();
  }

  @Test
  void fifty_threads_booking_overlapping_weekly_windows_leave_exactly_one_winner()
      throws Exception {
    CalendarRow calendar = scheduling.calendar("Europe/Berlin");

    // Every window contains Sunday 23:30 (597600 + 1800); half of them wrap the week's end.
    List<String> outcomes =
        race(
            i ->
                i % 2 == 0
                    ? () -> scheduling.weekly(calendar, 590_000 + i * 100, 10_000 + i)
                    : () -> scheduling.weekly(calendar, 599_000 - i * 100, WEEK - i));

    assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
    assertThat(outcomes).filteredOn("windows_no_overlap"::equals).hasSize(THREADS - 1);
  }

  @Test
  void fifty_threads_booking_one_offs_over_a_weekly_window_and_each_other_leave_exactly_one_winner()
      throws Exception {
    CalendarRow calendar = scheduling.calendar("UTC");
    Instant noon = Instant.parse("2030-01-02T12:00:00Z"); // a Wednesday

    List<String> outcomes =
        race(
            i ->
                i == 0
                    ? () ->
                        scheduling.weekly(
                            calendar, 2 * 86_400 + 12 * 3600, 2 * 86_400 + 12 * 3600 + 60)
                    : () ->
                        scheduling.once(calendar, noon.minusSeconds(i * 60L), noon.plusSeconds(i)));

    assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
    assertThat(outcomes).filteredOn("windows_no_overlap"::equals).hasSize(THREADS - 1);
  }

  private List<String> race(IntFunction<Runnable> booking) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch ready = new CountDownLatch(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    try {
      for (int i = 0; i < THREADS; i++) {
        Runnable attempt = booking.apply(i);
        results.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  start.await();
                  try {
                    attempt.run();
                    return "won";
                  } catch (RuntimeException refused) {
                    return TestScheduling.constraintOf(refused);
                  }
                }));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
      start.countDown();
      List<String> outcomes = new ArrayList<>();
      for (Future<String> result : results) {
        outcomes.add(result.get(60, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }
}
