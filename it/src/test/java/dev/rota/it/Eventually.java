package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits, with a deadline, for what the controller loop does after a request returned: the cluster
 * follows the database shortly after the commit, not within the request.
 */
public final class Eventually {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private Eventually() {}

  /** Polls {@code value} until it is non-null, and returns it; fails the test at the deadline. */
  public static <T> T await(String what, Supplier<T> value) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    for (T found = value.get(); ; found = value.get()) {
      if (found != null) {
        return found;
      }
      assertThat(System.nanoTime()).as(what + " within " + DEADLINE).isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
