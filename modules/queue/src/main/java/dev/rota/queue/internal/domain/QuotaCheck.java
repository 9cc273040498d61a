package dev.rota.queue.internal.domain;

import java.util.List;
import java.util.Optional;

/**
 * Whether a task of {@code gpus} GPUs fits a node's quota chain in a pool: within every level's
 * guarantee it is in-quota; beyond a guarantee but within every limit it borrows idle GPUs; above a
 * limit anywhere it waits. A level without a limit only bounds through its ancestors.
 */
public final class QuotaCheck {

  private QuotaCheck() {}

  /**
   * One level of the chain with what its subtree already uses.
   *
   * @param guaranteedInPool the level's pool row, else its total guarantee
   * @param poolLimit the level's limit in the pool, null when none
   * @param totalLimit the level's limit over all pools, null when none
   */
  public record Level(
      long nodeId,
      int usedInPool,
      int usedOverall,
      int guaranteedInPool,
      int totalGuaranteed,
      Integer poolLimit,
      Integer totalLimit) {

    boolean withinGuarantee(int gpus) {
      return usedInPool + gpus <= guaranteedInPool && usedOverall + gpus <= totalGuaranteed;
    }

    boolean withinLimits(int gpus) {
      return (poolLimit == null || usedInPool + gpus <= poolLimit)
          && (totalLimit == null || usedOverall + gpus <= totalLimit);
    }
  }

  /** The outcome; {@code limitedBy} is the lowest level whose limit the task would exceed. */
  public record Outcome(boolean inQuota, Optional<Level> limitedBy) {
    public boolean admissible() {
      return limitedBy.isEmpty();
    }
  }

  /** Decides for the chain, the task's own node first. */
  public static Outcome of(List<Level> chain, int gpus) {
    Optional<Level> limit = chain.stream().filter(level -> !level.withinLimits(gpus)).findFirst();
    boolean inQuota = chain.stream().allMatch(level -> level.withinGuarantee(gpus));
    return new Outcome(inQuota && limit.isEmpty(), limit);
  }
}
