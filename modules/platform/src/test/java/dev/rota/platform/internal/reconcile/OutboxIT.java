package dev.rota.platform.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Outbox;
import dev.rota.platform.Reconciler;
import dev.rota.platform.SyncState;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.TestDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The outbox and its workers against a real PostgreSQL: coalescing, per-object backoff, claims
 * under concurrency and after a worker died, the resync lease, the listener. Each test uses a kind
 * of its own, so the rows of other tests in the shared database are never claimed.
 */
class OutboxIT {

  private static final OutboxWorker.Settings FAST =
      new OutboxWorker.Settings(
          Duration.ofSeconds(30), 5, Duration.ofSeconds(30), Duration.ofMinutes(5));

  private final TestDatabase database = TestDatabase.get();
  private final Transactions transactions = new Transactions(database.dataSource());
  private final Outbox outbox = new Outbox();
  private final String kind = "test." + UUID.randomUUID();

  @Test
  void enqueuing_an_object_again_coalesces_into_its_one_row() {
    enqueue("a", "b");
    enqueue("a");
    enqueue("a", "c");

    assertThat(rows()).containsOnlyKeys("a", "b", "c");
    assertThat(rows().get("a")).as("generation counts the enqueues").isEqualTo(3L);
    assertThat(state("a").sync()).isEqualTo("pending");
    assertThat(state("unknown")).isEqualTo(SyncState.SYNCED);
  }

  @Test
  void an_enqueue_that_rolls_back_leaves_nothing() {
    assertThatThrownBy(
            () ->
                transactions.write(
                    "test",
                    c -> {
                      outbox.enqueue(c, kind, "doomed");
                      throw new IllegalStateException("the change fails");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(rows()).isEmpty();
  }

  @Test
  void a_failing_object_backs_off_while_the_others_are_reconciled() {
    List<String> seen = new ArrayList<>();
    OutboxWorker worker =
        worker(
            key -> {
              seen.add(key);
              if (key.equals("bad")) {
                throw new IllegalStateException("the API said no");
              }
            });
    enqueue("bad", "good-1", "good-2");

    int attempts = worker.drain();
    int again = worker.drain();

    assertThat(attempts).isEqualTo(3);
    assertThat(again).as("the failed object waits for its backoff").isZero();
    assertThat(seen).containsExactlyInAnyOrder("bad", "good-1", "good-2");
    assertThat(rows()).containsOnlyKeys("bad");
    SyncState bad = state("bad");
    assertThat(bad.sync()).isEqualTo("failed");
    assertThat(bad.lastError()).isEqualTo("the API said no");
    assertThat(bad.attempts()).isEqualTo(1);
    assertThat(secondsUntilNextAttempt("bad")).isBetween(29.0, 37.0);
  }

  @Test
  void the_backoff_doubles_with_each_failure() {
    OutboxWorker worker =
        worker(
            key -> {
              throw new IllegalStateException("still down");
            });
    enqueue("x");
    worker.drain();
    makeDue("x");
    worker.drain();
    makeDue("x");
    worker.drain();

    assertThat(state("x").attempts()).isEqualTo(3);
    assertThat(secondsUntilNextAttempt("x")).as("30 s * 2^2").isBetween(119.0, 145.0);
  }

  @Test
  void a_change_enqueued_while_its_object_is_reconciled_is_not_lost() {
    AtomicInteger calls = new AtomicInteger();
    OutboxWorker worker =
        worker(
            key -> {
              if (calls.incrementAndGet() == 1) {
                enqueue(key); // a request changes the object while it is applied
              }
            });
    enqueue("k");

    worker.drain();

    assertThat(calls).as("reconciled again for the newer change").hasValue(2);
    assertThat(rows()).isEmpty();
  }

  @Test
  void concurrent_workers_never_reconcile_the_same_row_at_once() throws Exception {
    List<String> keys = IntStream.range(0, 200).mapToObj(i -> "k" + i).toList();
    enqueue(keys.toArray(String[]::new));
    Set<String> inFlight = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> reconciled = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    Consumer<String> reconcile =
        key -> {
          if (!inFlight.add(key)) {
            overlaps.incrementAndGet();
          }
          reconciled.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          sleep(1);
          inFlight.remove(key);
        };
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> done = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      OutboxWorker worker = worker(reconcile); // a worker per instance: claims by its own name
      done.add(
          pool.submit(
              () -> {
                start.await();
                return worker.drain();
              }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> one : done) {
      total += one.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(overlaps).hasValue(0);
    assertThat(total).isEqualTo(200);
    assertThat(reconciled).hasSize(200);
    assertThat(reconciled.values()).allMatch(n -> n.get() == 1);
    assertThat(rows()).isEmpty();
  }

  @Test
  void a_claim_held_by_a_worker_that_died_returns_when_it_expires() {
    OutboxWorker dying =
        new OutboxWorker(
            transactions,
            List.of(reconciler(key -> {})),
            new OutboxWorker.Settings(
                Duration.ofSeconds(2), 5, Duration.ofSeconds(1), Duration.ofSeconds(1)),
            OutboxWorker.Observer.NONE);
    List<String> seen = new ArrayList<>();
    OutboxWorker survivor = worker(seen::add);
    enqueue("orphan");

    assertThat(dying.claim()).hasSize(1); // and then its instance dies before reconciling
    assertThat(survivor.drain()).as("the claim still holds").isZero();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (seen.isEmpty() && System.nanoTime() < deadline) {
      sleep(50);
      survivor.drain();
    }

    assertThat(seen).containsExactly("orphan");
    assertThat(rows()).isEmpty();
  }

  @Test
  void only_one_instance_holds_the_resync_lease_until_it_expires() throws Exception {
    Leases leases = new Leases();
    String lease = "test-lease-" + UUID.randomUUID();
    int contenders = 6;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    List<Future<Boolean>> won = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      String me = "instance-" + i;
      won.add(
          pool.submit(
              () -> {
                start.await();
                return transactions.write(
                    me, c -> leases.acquire(c, lease, me, Duration.ofSeconds(30)));
              }));
    }
    start.countDown();
    int winners = 0;
    for (Future<Boolean> one : won) {
      winners += one.get(30, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(winners).isEqualTo(1);
    assertThat(acquire(leases, lease, "latecomer", Duration.ofSeconds(5))).isFalse();

    String brief = lease + "-short";
    assertThat(acquire(leases, brief, "dies-soon", Duration.ofMillis(300))).isTrue();
    sleep(700);
    assertThat(acquire(leases, brief, "latecomer", Duration.ofSeconds(5)))
        .as("the expired lease is free")
        .isTrue();
    assertThat(acquire(leases, brief, "latecomer", Duration.ofSeconds(5)))
        .as("its holder renews it")
        .isTrue();
  }

  @Test
  void a_notification_wakes_the_loop_without_any_poll() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (ControllerLoop loop =
        new ControllerLoop(
            transactions,
            database::dataSource,
            List.of(reconciler(seen::add)),
            FAST,
            OutboxWorker.Observer.NONE,
            Executors.defaultThreadFactory(),
            2)) {
      awaitTrue(loop::listening);
      enqueue("woken-1", "woken-2");
      awaitTrue(() -> seen.size() == 2);
    }
    assertThat(seen).containsExactlyInAnyOrder("woken-1", "woken-2");
  }

  /** A server stopped between the commit and the apply: the next one to start applies it. */
  @Test
  void rows_committed_while_no_instance_ran_are_applied_by_the_next_one_to_start()
      throws Exception {
    enqueue("committed-1", "committed-2"); // nobody listens: the notification is lost
    Set<String> seen = ConcurrentHashMap.newKeySet();

    try (ControllerLoop loop =
        new ControllerLoop(
            transactions,
            database::dataSource,
            List.of(reconciler(seen::add)),
            FAST,
            OutboxWorker.Observer.NONE,
            Executors.defaultThreadFactory(),
            2)) {
      awaitTrue(() -> seen.size() == 2); // no wake() from a timer: the listener drains on connect
    }

    assertThat(seen).containsExactlyInAnyOrder("committed-1", "committed-2");
    assertThat(rows()).isEmpty();
  }

  @Test
  void a_transaction_gives_up_waiting_for_a_lock_after_the_lock_timeout() throws Exception {
    Transactions impatient = new Transactions(database.dataSource(), "30s", "200ms");
    enqueue("locked");
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService holder = Executors.newSingleThreadExecutor();
    Future<?> holding =
        holder.submit(
            () ->
                transactions.write(
                    "holder",
                    c -> {
                      try (PreparedStatement lock =
                          c.prepareStatement(
                              "SELECT 1 FROM platform.reconcile_outbox WHERE kind = ? FOR UPDATE")) {
                        lock.setString(1, kind);
                        lock.executeQuery().close();
                      }
                      locked.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    locked.await();
    long started = System.nanoTime();
    try {
      assertThatThrownBy(() -> impatient.write("waiter", c -> enqueueOn(c, "locked")))
          .isInstanceOf(Transactions.DatabaseFailure.class)
          .hasMessageContaining("lock timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    } finally {
      release.countDown();
      holding.get(10, TimeUnit.SECONDS);
      holder.shutdown();
    }
  }

  private Object enqueueOn(java.sql.Connection c, String key) throws SQLException {
    outbox.enqueue(c, kind, key);
    return null;
  }

  private boolean acquire(Leases leases, String lease, String who, Duration duration) {
    return transactions.write(who, c -> leases.acquire(c, lease, who, duration));
  }

  private OutboxWorker worker(Consumer<String> reconcile) {
    return new OutboxWorker(
        transactions, List.of(reconciler(reconcile)), FAST, OutboxWorker.Observer.NONE);
  }

  private Reconciler reconciler(Consumer<String> reconcile) {
    return new Reconciler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void reconcile(String key) {
        reconcile.accept(key);
      }

      @Override
      public Collection<String> resyncKeys() {
        return List.of();
      }
    };
  }

  private void enqueue(String... keys) {
    transactions.write(
        "test",
        c -> {
          outbox.enqueueAll(c, kind, List.of(keys));
          return null;
        });
  }

  private SyncState state(String key) {
    return transactions.read(c -> outbox.state(c, kind, key));
  }

  /** Key to generation of this test's rows. */
  private Map<String, Long> rows() {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT object_key, generation FROM platform.reconcile_outbox WHERE kind = ?")) {
            select.setString(1, kind);
            Map<String, Long> rows = new java.util.HashMap<>();
            try (ResultSet row = select.executeQuery()) {
              while (row.next()) {
                rows.put(row.getString(1), row.getLong(2));
              }
            }
            return rows;
          }
        });
  }

  private double secondsUntilNextAttempt(String key) {
    return transactions.read(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT extract(epoch FROM next_attempt_at - now()) FROM"
                      + " platform.reconcile_outbox WHERE kind = ? AND object_key = ?")) {
            select.setString(1, kind);
            select.setString(2, key);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getDouble(1);
            }
          }
        });
  }

  /** Moves the row's backoff to now, as waiting for it would. */
  private void makeDue(String key) {
    transactions.write(
        "test",
        c -> {
          try (PreparedStatement update =
              c.prepareStatement(
                  "UPDATE platform.reconcile_outbox SET next_attempt_at = now()"
                      + " WHERE kind = ? AND object_key = ?")) {
            update.setString(1, kind);
            update.setString(2, key);
            return update.executeUpdate();
          }
        });
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
      sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
