package dev.rota.tenancy;

import java.sql.Connection;
import java.util.List;

/**
 * GPU quota per node pool, as the queue admits against it: a node's guarantee and limit in a pool
 * and those of its ancestors. A node's totals bound all pools together; a pool row, where a node
 * has one, bounds that pool further (see V13__tenancy_pool_quotas.sql).
 */
public interface PoolQuotas {

  /** The node and each of its ancestors, the node first, read in the caller's transaction. */
  List<Level> chain(Connection connection, long nodeId, String pool);

  /**
   * One level of the chain.
   *
   * @param poolGuaranteedGpus the node's guarantee in the pool, null without a pool row
   * @param poolGpuLimit the node's limit in the pool, null when unlimited there
   * @param totalGpuLimit the node's limit over all pools, null when unlimited
   */
  record Level(
      long nodeId,
      int depth,
      Integer poolGuaranteedGpus,
      Integer poolGpuLimit,
      int totalGuaranteedGpus,
      Integer totalGpuLimit) {

    /** What the node guarantees in the pool: its pool row, else its total. */
    public int guaranteedInPool() {
      return poolGuaranteedGpus != null ? poolGuaranteedGpus : totalGuaranteedGpus;
    }
  }
}
