package dev.rota.it;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records, while a preemption runs in Liberty, what the test can see from outside: the victim's
 * outbox row in the server's database (polled every few milliseconds: when it is visible, i.e. the
 * decision committed; when a worker claimed it; when it was settled) and the Pod events of the
 * simulated API server (a watch: when the victim's Pods went, when the preemptor's came). The task
 * events' clock_timestamp() and the decision's decided_at come from the database afterwards. All
 * clocks are this machine's.
 */
final class PreemptionStages implements AutoCloseable {

  /** One observation: when, and what. */
  record Seen(Instant at, String what) {}

  private static final Duration POLL = Duration.ofMillis(5);

  private final String url =
      "jdbc:postgresql://localhost:" + System.getProperty("rota.it.db-port", "15532") + "/postgres";
  private final List<Seen> outbox = new CopyOnWriteArrayList<>();
  private final List<Seen> pods = new CopyOnWriteArrayList<>();
  private final List<Seen> backlog = new CopyOnWriteArrayList<>();
  private final Watch watch;
  private final Thread poller;
  private volatile boolean running = true;

  /** Starts watching the Pods of Rota's tasks and polling {@code victim}'s outbox row. */
  PreemptionStages(KubernetesClient cluster, long victim) {
    watch =
        cluster
            .pods()
            .inAnyNamespace()
            .withLabel("rota.dev/task-id")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    var labels = pod.getMetadata().getLabels();
                    pods.add(
                        new Seen(
                            Instant.now(),
                            action
                                + " "
                                + labels.get("rota.dev/task-id")
                                + "/"
                                + labels.get("rota.dev/attempt")));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    poller = new Thread(() -> poll(victim), "preemption-stages");
    poller.setDaemon(true);
    poller.start();
  }

  /** Records every change of the victim's outbox row: absent, due, claimed. */
  private void poll(long victim) {
    String select =
        """
        SELECT clock_timestamp(),
               (SELECT CASE WHEN claimed_by IS NULL THEN 'due' ELSE 'claimed' END
                  FROM platform.reconcile_outbox WHERE kind = 'queue.task' AND object_key = ?),
               (SELECT count(*) FROM platform.reconcile_outbox
                 WHERE claimed_by IS NULL AND next_attempt_at <= now())
        """;
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement row = c.prepareStatement(select)) {
      row.setString(1, String.valueOf(victim)); // ?1: the victim's outbox key
      String last = "";
      while (running) {
        try (ResultSet found = row.executeQuery()) {
          found.next();
          String state = found.getString(2) == null ? "absent" : found.getString(2);
          if (!state.equals(last)) {
            outbox.add(new Seen(found.getTimestamp(1).toInstant(), state));
            backlog.add(new Seen(found.getTimestamp(1).toInstant(), found.getString(3)));
            last = state;
          }
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (SQLException e) {
      outbox.add(new Seen(Instant.now(), "poll failed: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The first outbox observation {@code state} at or after {@code from}. */
  Instant outbox(String state, Instant from) {
    return first(outbox, state, from);
  }

  /**
   * How many unclaimed rows were due in the whole outbox at that observation of the victim's row.
   */
  String backlogAt(Instant at) {
    return backlog.stream().filter(s -> s.at().equals(at)).map(Seen::what).findFirst().orElse("?");
  }

  /** The first Pod event {@code "DELETED 12/1"} (action, task id, attempt) at or after from. */
  Instant pod(String event, Instant from) {
    return first(pods, event, from);
  }

  /** The last Pod event of that kind (the last of a gang's Pods). */
  Instant lastPod(String event) {
    return pods.stream()
        .filter(s -> s.what().equals(event))
        .map(Seen::at)
        .reduce((a, b) -> b)
        .orElse(null);
  }

  private static Instant first(List<Seen> seen, String what, Instant from) {
    return seen.stream()
        .filter(s -> s.what().equals(what) && !s.at().isBefore(from))
        .map(Seen::at)
        .findFirst()
        .orElse(null);
  }

  /** When the victim's row was first seen (due or already claimed) at or after {@code from}. */
  Instant outboxVisible(Instant from) {
    return outbox.stream()
        .filter(s -> !s.what().equals("absent") && !s.at().isBefore(from))
        .map(Seen::at)
        .findFirst()
        .orElse(null);
  }

  /** The decision's decided_at (the now() of the admission round's transaction). */
  Instant decided(long victim) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement select =
            c.prepareStatement(
                """
                SELECT decided_at FROM queue.preemptions
                 WHERE victim_id = ? AND victim_attempt = 1
                """)) {
      select.setLong(1, victim); // ?1: the victim
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getTimestamp(1).toInstant() : null;
      }
    }
  }

  /** Reads one attempt's event times from the database: to_state → clock_timestamp(). */
  Map<String, Instant> events(long task, int attempt) throws SQLException {
    Map<String, Instant> at = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement select =
            c.prepareStatement(
                """
                SELECT to_state, at FROM queue.task_events
                 WHERE task_id = ? AND attempt = ? ORDER BY id
                """)) {
      select.setLong(1, task); // ?1: the task
      select.setInt(2, attempt); // ?2: its attempt
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          at.putIfAbsent(rows.getString(1), rows.getTimestamp(2).toInstant());
        }
      }
    }
    return at;
  }

  /** Everything seen, in order, for the test's output when a stage is missing. */
  List<Seen> seen() {
    List<Seen> all = new ArrayList<>(outbox);
    all.addAll(pods);
    all.sort(java.util.Comparator.comparing(Seen::at));
    return all;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    watch.close();
    poller.join(2000);
  }
}
