package dev.rota.queue.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.queue.internal.domain.QuotaCheck.Level;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaCheckTest {

  @Test
  void a_task_within_every_levels_guarantee_is_in_quota() {
    var outcome =
        QuotaCheck.of(List.of(level(1, 2, 2, 4, 4, null, null), level(2, 0, 0, 8, 8, 8, 8)), 2);

    assertThat(outcome.inQuota()).isTrue();
    assertThat(outcome.admissible()).isTrue();
  }

  @Test
  void beyond_one_ancestors_guarantee_a_task_borrows() {
    var outcome =
        QuotaCheck.of(List.of(level(1, 0, 0, 4, 4, null, null), level(2, 7, 7, 8, 8, null, 16)), 2);

    assertThat(outcome.inQuota()).isFalse();
    assertThat(outcome.admissible()).isTrue();
  }

  @Test
  void the_total_over_all_pools_bounds_a_pool_guarantee_too() {
    var outcome = QuotaCheck.of(List.of(level(1, 0, 3, 4, 4, null, null)), 2);

    assertThat(outcome.inQuota()).isFalse();
  }

  @Test
  void the_lowest_level_whose_limit_would_be_exceeded_is_named() {
    Level pool = level(1, 3, 3, 4, 8, 4, null);
    Level total = level(2, 0, 9, 8, 8, null, 10);

    var outcome = QuotaCheck.of(List.of(pool, total), 2);

    assertThat(outcome.admissible()).isFalse();
    assertThat(outcome.inQuota()).isFalse();
    assertThat(outcome.limitedBy()).contains(pool);
  }

  private static Level level(
      long node,
      int usedInPool,
      int usedOverall,
      int guaranteedInPool,
      int totalGuaranteed,
      Integer poolLimit,
      Integer totalLimit) {
    return new Level(
        node, usedInPool, usedOverall, guaranteedInPool, totalGuaranteed, poolLimit, totalLimit);
  }
}
