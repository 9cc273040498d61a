package dev.rota.queue.internal.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.queue.internal.application.QueueDepths.Key;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics' queue depths: counted per pool and class, read at most once per freshness span. */
class QueueDepthsIT {

  private final TestQueue queue = new TestQueue();
  private final AtomicLong nanos = new AtomicLong();
  private final QueueDepths depths =
      new QueueDepths(queue.transactions(), Duration.ofSeconds(5), nanos::get);

  @AfterEach
  void clean_up() {
    queue.close();
  }

  @Test
  void depths_are_counted_per_pool_and_class_and_reread_only_once_stale() {
    queue.node(8);
    long project = queue.project();
    queue.submit(project, 1, 1, "rota-high");
    queue.submit(project, 1, 1, "rota-high");
    queue.submit(project, 1, 1, "rota-low");
    Key high = new Key(queue.pool, "rota-high");
    Key low = new Key(queue.pool, "rota-low");

    assertThat(depths.of(high)).isEqualTo(2);
    assertThat(depths.of(low)).isEqualTo(1);

    queue.submit(project, 1, 1, "rota-low");
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(depths.of(low)).as("still fresh: no query").isEqualTo(1);

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(depths.of(low)).as("stale: read again").isEqualTo(2);
    assertThat(depths.of(new Key(queue.pool, "rota-normal"))).isZero();
  }
}
